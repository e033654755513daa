import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Structured JSON logs (Powertools: Lambda context, X-Ray trace id, levels from
 * `POWERTOOLS_LOG_LEVEL`). Nothing here logs request bodies: they hold one-time codes.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'phone-verify' });

/** CloudWatch metrics as EMF log lines (no API calls); `POWERTOOLS_METRICS_DISABLED` turns them off locally. */
export const metrics = new Metrics({ namespace: 'PhoneVerify', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'phone-verify' });

/** Counts one request outcome (`CodeSent`, `IncorrectCode` …) and flushes, once per request. */
export function countOutcome(outcome: string): void {
  metrics.addMetric(outcome, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
