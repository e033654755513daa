import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { countOutcome, logger, withRequestLog } from '../adapters/observability';
import { CHALLENGE_UNAVAILABLE_METRIC } from '../adapters/telemetry-names';
import { readableStack } from '../adapters/readable-stack';
import { VerificationError } from '../domain/errors';
import type { ServiceRuntime } from '../runtime';
import { ANY_ORIGIN, NO_BROWSER_ORIGIN, corsHeaders } from './cors';
import { negotiateLanguage } from './messages';
import { INTERNAL_ERROR, TransportError, problemResponse } from './problem';
import { headerValues, readJsonObject } from './request';

/** The request as a route sees it: for a POST, a JSON object already checked for type, size and I-JSON. */
export interface RouteRequest {
  /** The POST body; `{}` for a GET. */
  readonly body: Record<string, unknown>;
  headerValues(name: string): string[];
  /** The caller's address as API Gateway saw it (`requestContext.identity.sourceIp`): never a header, which the caller writes. */
  readonly sourceIp?: string | undefined;
  /** Carries the request id; add the masked number with `appendKeys`, never the number itself. */
  readonly log: Logger;
}

export interface RouteResult {
  readonly statusCode: number;
  readonly body: object;
  readonly headers?: Record<string, string>;
  /** Metric name of the outcome, e.g. `CodeSent`. */
  readonly outcome: (typeof ROUTE_OUTCOMES)[number];
}

/** One route of the API (docs/api.md). */
export interface Route {
  readonly path: (typeof ROUTE_PATHS)[number];
  /** `POST` takes a JSON object; `GET` (HEAD too) reads no body and skips the body checks. */
  readonly method: 'POST' | 'GET';
  /** Public: readable from any origin (`*`), whatever the CORS setting (the JWKS). */
  readonly public?: true;
  /** The largest body it takes, in bytes, when not `MAX_BODY_BYTES` (the send route's, with a bot challenge). */
  maxBodyBytes?(config: ServiceRuntime['config']): number;
  handle(request: RouteRequest, runtime: ServiceRuntime): Promise<RouteResult>;
}

/** The paths the API serves; anything else is `not_found` (docs/api.md, "Routes, exactly"). */
export const ROUTE_PATHS = ['/v1/verifications', '/v1/verifications/check', '/.well-known/jwks.json'] as const;

/** The methods a route answers: a GET route answers HEAD the same way, without the body. */
const allowedMethods = (route: Route) => (route.method === 'GET' ? ['GET', 'HEAD'] : ['POST']);

/**
 * Wraps the routes of one function as a Lambda handler for API Gateway REST proxy events. The
 * checks run in the documented order (route → content type → size → JSON → fields), every failure
 * becomes one problem+json, and every response carries `X-Request-Id` and the CORS headers.
 */
export function lambdaHandler(routes: Route | readonly Route[], runtime: () => Promise<ServiceRuntime>) {
  const served = Array.isArray(routes) ? (routes as readonly Route[]) : [routes as Route];
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId || randomUUID();
    const log = logger.createChild({ persistentKeys: { requestId } });
    if (context) log.addContext(context);
    // Every line logged while this request is served carries its id, the adapters' included.
    return withRequestLog(log, () => serve(event, log, requestId));
  };

  async function serve(event: APIGatewayProxyEvent, log: Logger, requestId: string): Promise<APIGatewayProxyResult> {
    const started = performance.now();
    // `resource` is the route API Gateway matched, forgiving a trailing slash or an encoded
    // spelling; only the exact path is the route (docs/api.md), so the WAF rule sees every request of it.
    const route = served.find((r) => event.resource === r.path && event.path === r.path);
    let cors = route?.public ? ANY_ORIGIN : NO_BROWSER_ORIGIN;
    let result: APIGatewayProxyResult;
    let outcome: string;
    try {
      const rt = await runtime();
      if (!route?.public) cors = rt.config.cors;
      if (!route) throw new TransportError('not_found');
      const allow = allowedMethods(route);
      if (!allow.includes(event.httpMethod)) throw new TransportError('method_not_allowed', { allow });
      const body = route.method === 'POST' ? readJsonObject(event, route.maxBodyBytes?.(rt.config)) : {};
      const sourceIp = event.requestContext?.identity?.sourceIp || undefined;
      const answer = await route.handle({ body, headerValues: (name) => headerValues(event, name), sourceIp, log }, rt);
      const json = JSON.stringify(answer.body);
      result = {
        statusCode: answer.statusCode,
        headers: { 'Content-Type': 'application/json', ...answer.headers },
        body: event.httpMethod === 'HEAD' ? '' : json,
      };
      outcome = answer.outcome;
    } catch (error) {
      const language = negotiateLanguage(headerValues(event, 'accept-language').join(','));
      if (error instanceof VerificationError || error instanceof TransportError) {
        result = problemResponse(error, language);
        outcome = error.code;
        // A lock is counted on its own (its rate is alarmed on): the guess that caused it answers incorrect_code.
        if (error instanceof VerificationError && error.facts.lockedNow) countOutcome(LOCK_METRIC);
        // A challenge service that failed us is counted on its own (alarmed: sends are refused while it lasts).
        if (error instanceof VerificationError && error.facts.challengeUnavailable) countOutcome(CHALLENGE_UNAVAILABLE_METRIC);
        // A dependency's failure or refusal: its own words (status, error codes, provider request id; never what we sent it).
        if (error.cause instanceof Error)
          log.warn(error.code === 'challenge_failed' ? 'challenge refused' : 'dependency failed', { cause: error.cause.message });
      } else {
        // A bug: its stack, pointed at our sources (the bundle is minified).
        if (error instanceof Error && error.stack) error.stack = readableStack(error.stack);
        log.error('unhandled error', error as Error);
        result = problemResponse(INTERNAL_ERROR, language);
        outcome = INTERNAL_ERROR.code;
      }
    }
    const origin = headerValues(event, 'origin')[0];
    const cross = corsHeaders(cors, origin);
    // Both may vary the answer: the origin (CORS) and, for a problem, the language.
    const vary = [result.headers?.Vary, cross.Vary].filter(Boolean).join(', ');
    result.headers = { ...result.headers, ...cross, ...(vary && { Vary: vary }), 'X-Request-Id': requestId };
    log.info('request', {
      method: event.httpMethod,
      resource: event.resource,
      status: result.statusCode,
      outcome,
      durationMs: Math.round(performance.now() - started),
    });
    countOutcome(metricName(outcome));
    return result;
  }
}

/** Counted when a wrong guess locks the number (docs/limits.md). */
export const LOCK_METRIC = 'NumberLocked';

/** Metric names of the successful outcomes (route results); problem codes become `IncorrectCode` etc. */
export const ROUTE_OUTCOMES = ['CodeSent', 'IdempotentReplay', 'CodeApproved', 'TestNumberUsed', 'KeysPublished'] as const;

/** `incorrect_code` → `IncorrectCode`; route outcomes are already metric names. */
export function metricName(outcome: string): string {
  return outcome.replace(/(^|_)([a-z])/g, (_, _sep: string, letter: string) => letter.toUpperCase());
}
