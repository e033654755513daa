import { createHmac } from 'node:crypto';
import type { SensCredentials } from '../config';
import { SmsDeliveryError, SmsTimeoutError, type SmsMessage, type SmsReceipt, type SmsSender } from '../domain/ports';

export interface SensOptions {
  /** Base URL, `https://sens.apigw.ntruss.com` in production. */
  readonly endpoint: string;
  /** Hard limit on the whole call: connect, request and response body. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/**
 * Sends SMS through Naver Cloud SENS (SMS API v2), exactly as SPEC section 6 describes. `fetch`
 * keeps connections alive, so a warm Lambda skips the TLS handshake.
 */
export class SensSmsSender implements SmsSender {
  constructor(
    private readonly credentials: SensCredentials,
    private readonly options: SensOptions,
  ) {}

  async send({ to, text }: SmsMessage): Promise<SmsReceipt> {
    const path = `/sms/v2/services/${encodeURIComponent(this.credentials.serviceId)}/messages`;
    const timestamp = String((this.options.now ?? Date.now)());
    const body = JSON.stringify({
      type: 'SMS',
      contentType: 'COMM',
      countryCode: to.callingCode,
      from: this.credentials.from,
      content: text,
      messages: [{ to: to.nationalDigits }],
    });
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(`${this.options.endpoint.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'x-ncp-apigw-timestamp': timestamp,
          'x-ncp-iam-access-key': this.credentials.accessKey,
          'x-ncp-apigw-signature-v2': sensSignature(this.credentials, path, timestamp),
        },
        body,
        signal,
      });
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      if (signal.aborted) throw new SmsTimeoutError(`SENS did not answer within ${this.options.timeoutMs} ms`);
      // No connection at all: the request never reached SENS, so nothing will be delivered.
      throw new SmsDeliveryError(`SENS unreachable: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    }
    const accepted = answer as { requestId?: unknown; statusCode?: unknown; statusName?: unknown } | undefined;
    if (response.status !== 202 || accepted?.statusCode !== '202' || accepted.statusName !== 'success') {
      // Status and SENS's own id only: the body we sent holds the code.
      throw new SmsDeliveryError(`SENS refused the message: HTTP ${response.status}${typeof accepted?.requestId === 'string' ? `, requestId ${accepted.requestId}` : ''}`);
    }
    return { providerRequestId: typeof accepted.requestId === 'string' ? accepted.requestId : undefined };
  }
}

/** `x-ncp-apigw-signature-v2`: base64 HMAC-SHA256 of `POST {path}\n{timestamp}\n{accessKey}` with the secret key. */
export function sensSignature(credentials: Pick<SensCredentials, 'accessKey' | 'secretKey'>, path: string, timestamp: string): string {
  return createHmac('sha256', credentials.secretKey).update(`POST ${path}\n${timestamp}\n${credentials.accessKey}`).digest('base64');
}
