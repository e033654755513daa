import { SmsDeliveryError, SmsTimeoutError } from '../domain/ports';

/**
 * How the SMS providers' answers are read: a body as a JSON object (or nothing), and a failed
 * call as a refusal or a timeout (docs/channels.md, "Providers and failover").
 */

/** A provider's answer body as a JSON object; undefined when it is not one (unreadable, an array, empty). */
export function answerObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Socket errors that happen before a byte of the request was written (no route, refused, DNS,
 * a TLS handshake that failed): the provider never saw the message, so it is a refusal and the
 * next provider may be tried (docs/channels.md, "Providers and failover").
 */
const BEFORE_THE_REQUEST = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a transport error happened before the request was written (its own code, or its cause's). */
export function failedBeforeRequest(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (BEFORE_THE_REQUEST.has(code) || /^ERR_TLS_|^ERR_SSL_|CERT/.test(code)) return true;
    // The SDK's node-http-handler names a connect timeout only in its message.
    if (typeof e.message === 'string' && /without establishing a connection/.test(e.message)) return true;
  }
  return false;
}

/**
 * An AWS SDK call of a provider (End User Messaging, Lambda) that threw: a refusal when the
 * service answered (any error with an HTTP status) or the connection failed before the request
 * was written; otherwise a timeout, since the request went out and the message may arrive.
 * Only the error's name and status go into the message: never the request, which holds the code.
 */
export function sdkFailure(providerLabel: string, error: unknown, timeoutMs: number): SmsDeliveryError | SmsTimeoutError {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && e.name !== 'TimeoutError')
    return new SmsDeliveryError(`${providerLabel} refused the message: ${e.name ?? 'error'} (HTTP ${status})`);
  if (failedBeforeRequest(error)) return new SmsDeliveryError(`${providerLabel} unreachable: ${e?.name ?? 'error'}`);
  return new SmsTimeoutError(`${providerLabel} did not answer within ${timeoutMs} ms (${e?.name ?? 'error'}): the message may still arrive`);
}
