import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, serviceName } from './telemetry-names';

/** The stack sets POWERTOOLS_SERVICE_NAME (`serviceName(stage)`); locally the stage is `local` unless STAGE says otherwise. */
const service = process.env.POWERTOOLS_SERVICE_NAME || serviceName(process.env.STAGE || 'local');

/**
 * Structured JSON logs (Powertools: Lambda context, X-Ray trace id, levels from
 * `POWERTOOLS_LOG_LEVEL`). Nothing here logs request bodies: they hold one-time codes.
 */
export const logger = new Logger({ serviceName: service });

const requestLogs = new AsyncLocalStorage<Logger>();

/**
 * Runs `handle` with `log` (the request's logger, which carries its request id) as the logger of
 * everything it does: adapters deep in the request (the providers' attempts) log with `requestLog()`,
 * so every line of a request can be traced (docs/api.md), even with requests served at once.
 */
export function withRequestLog<T>(log: Logger, handle: () => Promise<T>): Promise<T> {
  return requestLogs.run(log, handle);
}

/** The logger of the request being served, or the function's own outside one. */
export function requestLog(): Logger {
  return requestLogs.getStore() ?? logger;
}

/** CloudWatch metrics as EMF log lines (no API calls); `POWERTOOLS_METRICS_DISABLED` turns them off locally. */
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: service });

/** Counts one request outcome (`CodeSent`, `IncorrectCode` …) and flushes, once per request. */
export function countOutcome(outcome: string): void {
  metrics.addMetric(outcome, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
