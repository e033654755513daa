import { VerificationError } from '../domain/errors';

/**
 * Which AWS SDK errors are the dependency's trouble, not ours: they answer 503 with Retry-After,
 * and the client may try again. Anything else is a bug and answers 500.
 */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  // Cut off by our own time limit (a send's store allowance): not answering in time.
  'AbortError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Throttling, a server fault or no answer at all: worth a retry by the client, not a bug. */
export function isUnavailable(error: unknown): boolean {
  // Shape, not `instanceof Error`: socket errors can come from another realm (jest's VM, for one).
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $fault?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const noResponse = e.$metadata !== undefined && e.$metadata.httpStatusCode === undefined;
  return (e.name !== undefined && THROTTLING.has(e.name)) || e.$fault === 'server' || (e.code !== undefined && NETWORK.has(e.code)) || noResponse;
}

/** `service_unavailable` for a throttled or unreachable dependency; any other error as it is (a bug: 500). */
export function unavailable(error: unknown): unknown {
  return isUnavailable(error) ? new VerificationError('service_unavailable', { retryAfterSeconds: 2 }) : error;
}
