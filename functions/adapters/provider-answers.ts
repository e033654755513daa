import { SmsDeliveryError, SmsTimeoutError } from '../domain/ports';
import type { ProviderConnection } from './provider-connection';

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
 * An AWS SDK call of a provider (End User Messaging, Lambda) that threw. A refusal, so the next
 * provider may be asked, when the service answered an error (HTTP 300 or more) or when nothing
 * was written (the connection never opened, whether it failed or our time limit came first).
 * Anything else is a timeout, since the message may arrive: no answer in time, a connection
 * broken after the request went out, or a 2xx the SDK could not read (its error carries that
 * 2xx). Only the error's name and status go into the message: never the request, which holds the code.
 */
export function sdkFailure(
  providerLabel: string,
  error: unknown,
  timeoutMs: number,
  connection: Pick<ProviderConnection, 'opened'>,
): SmsDeliveryError | SmsTimeoutError {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? 'error';
  if (status !== undefined && status >= 300) return new SmsDeliveryError(`${providerLabel} refused the message: ${name} (HTTP ${status})`);
  if (!connection.opened) return new SmsDeliveryError(`${providerLabel} not reached: ${name} before the connection opened`);
  const said = status === undefined ? name : `${name} after HTTP ${status}`;
  return new SmsTimeoutError(`${providerLabel} gave no readable answer within ${timeoutMs} ms (${said}): the message may still arrive`);
}
