import { createHmac } from 'node:crypto';
import type { SensCredentials } from '../config';
import { SmsDeliveryError, SmsTimeoutError, type SendContext, type SmsMessage, type SmsReceipt, type SmsSender } from '../domain/ports';
import { answerObject } from './provider-answers';
import { ProviderConnection } from './provider-connection';

export interface SensOptions {
  /** Base URL, `https://sens.apigw.ntruss.com` in production. */
  readonly endpoint: string;
  /** Hard limit on the whole call: connect, request and response body. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/**
 * Sends SMS through Naver Cloud SENS (SMS API v2), and Alimtalk through its Alimtalk API v2, as
 * docs/channels.md describes. `fetch` keeps connections alive, so a warm Lambda skips the TLS handshake.
 */
export class SensSmsSender implements SmsSender {
  readonly provider = 'sens';

  constructor(
    private readonly credentials: SensCredentials,
    private readonly options: SensOptions,
  ) {}

  async send(message: SmsMessage, context?: SendContext): Promise<SmsReceipt> {
    // Within what is left of the whole send, when a failover sender says so.
    const options = context ? { ...this.options, timeoutMs: context.timeoutMs } : this.options;
    switch (message.channel) {
      case 'alimtalk':
        return this.sendAlimtalk(message, options);
      case 'sms':
        return this.sendSms(message, options);
    }
  }

  private async sendSms({ to, text }: SmsMessage, options: SensOptions): Promise<SmsReceipt> {
    // The service id goes in verbatim (`ncp:sms:kr:…`, colons unescaped), as in every example of
    // SENS's reference (api.ncloud-docs.com, sens-sms-send), and the signature covers that exact path.
    const path = `/sms/v2/services/${this.credentials.serviceId}/messages`;
    const answer = await sensPost(this.credentials, options, path, {
      type: 'SMS',
      contentType: 'COMM',
      countryCode: to.callingCode,
      from: this.credentials.from,
      content: text,
      messages: [{ to: to.nationalDigits }],
    });
    return { providerRequestId: answer.requestId };
  }

  /**
   * KakaoTalk Alimtalk (SENS Alimtalk API v2, api.ncloud-docs.com sens-alimtalk-send): the
   * approved template with the code filled in, and the full SMS (auto-fill lines included) as
   * the failover for a person without KakaoTalk. Accepted only when every message says A000.
   */
  private async sendAlimtalk(
    { to, text, templateCode, alimtalkText }: Extract<SmsMessage, { channel: 'alimtalk' }>,
    options: SensOptions,
  ): Promise<SmsReceipt> {
    // The ids come with the credentials (in AWS, the SENS secret, which may lack them).
    const { alimtalkServiceId, plusFriendId, from } = this.credentials;
    if (!alimtalkServiceId || !plusFriendId) throw new SmsDeliveryError('the SENS credentials have no Alimtalk service id or KakaoTalk channel id');
    const answer = await sensPost(this.credentials, options, `/alimtalk/v2/services/${alimtalkServiceId}/messages`, {
      plusFriendId,
      templateCode,
      messages: [
        {
          countryCode: to.callingCode,
          to: to.nationalDigits,
          content: alimtalkText,
          useSmsFailover: true,
          failoverConfig: { type: 'SMS', from, content: text },
        },
      ],
    });
    const messages: unknown = answer.body.messages;
    const codes = Array.isArray(messages) ? messages.map((m: { requestStatusCode?: unknown } | null) => m?.requestStatusCode) : [];
    const said = `requestStatusCode ${codes.length > 0 ? codes.map(String).join(',') : 'none'}${answer.requestId ? `, requestId ${answer.requestId}` : ''}`;
    // A success without a status for its message neither accepts nor refuses it: it may go out.
    if (codes.length === 0 || codes.some((code) => typeof code !== 'string'))
      throw new SmsTimeoutError(`SENS answered success for the Alimtalk without a status for its message (${said}): it may have accepted it`);
    if (codes.some((code) => code !== 'A000')) throw new SmsDeliveryError(`SENS refused the Alimtalk: ${said}`);
    return { providerRequestId: answer.requestId };
  }
}

/** A SENS answer that passed the success test: HTTP 202, `statusCode` "202", `statusName` "success". */
export interface SensAccepted {
  readonly requestId?: string | undefined;
  readonly body: Record<string, unknown>;
}

/**
 * One signed POST to SENS (SMS and Alimtalk share the scheme), under a hard timeout that covers
 * the response body too. Redirects are never followed: the signed request and the code would go
 * to another host.
 * @throws SmsTimeoutError when the time runs out once the request went out, whenever that is, when
 *   the connection breaks after it was written, or when a 2xx is not SENS's success and does not
 *   say it failed (the message may still be delivered)
 * @throws SmsDeliveryError for a refusal: a 3xx, 4xx or 5xx, a 2xx that says it failed, or no
 *   connection (nothing written), whether it failed or the time ran out before it opened
 */
export async function sensPost(credentials: SensCredentials, options: SensOptions, path: string, payload: object): Promise<SensAccepted> {
  const timestamp = String((options.now ?? Date.now)());
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = () => new SmsTimeoutError(`SENS did not answer within ${options.timeoutMs} ms`);
  const connection = new ProviderConnection();
  let response: Response;
  try {
    response = await connection.run(() =>
      fetch(`${options.endpoint.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'x-ncp-apigw-timestamp': timestamp,
          'x-ncp-iam-access-key': credentials.accessKey,
          'x-ncp-apigw-signature-v2': sensSignature(credentials, path, timestamp),
        },
        body: JSON.stringify(payload),
        signal,
      }),
    );
  } catch (error) {
    // Never connected (refused, no route, TLS failed, or the time ran out first): SENS saw
    // nothing, so nothing will be delivered.
    if (!connection.opened) throw new SmsDeliveryError(`SENS not reached: ${signal.aborted ? `no connection within ${options.timeoutMs} ms` : causeOf(error)}`);
    if (signal.aborted) throw timedOut();
    // Connected, and the connection broke with no answer: the request may have been read and
    // accepted, so only a 504 (code kept, no other provider asked) is honest.
    throw new SmsTimeoutError(`SENS broke the connection without an answer: ${causeOf(error)}`);
  }
  let text: string | undefined;
  try {
    text = await response.text();
  } catch (error) {
    // The status line came; the body did not (late or broken off). After a 2xx SENS may have
    // accepted the message, so only a 504 (code kept) is honest; after anything else it refused.
    if (signal.aborted) throw timedOut();
    if (response.ok) throw new SmsTimeoutError(`SENS answered HTTP ${response.status}, then the body broke off: ${causeOf(error)}`);
  }
  const body = answerObject(text);
  const requestId = typeof body?.requestId === 'string' ? body.requestId : undefined;
  if (response.status !== 202 || body?.statusCode !== '202' || body.statusName !== 'success') {
    // Status and SENS's own id only: the body we sent holds the code.
    const said = `HTTP ${response.status}${requestId ? `, requestId ${requestId}` : ''}`;
    // A 2xx that neither succeeds nor says it failed (a 200, an unreadable body) may have been
    // accepted: a 504, never a failover that would send a second SMS.
    if (response.ok && !(typeof body?.statusName === 'string' && body.statusName !== 'success'))
      throw new SmsTimeoutError(`SENS answered ${said} without its success answer: it may have accepted the message`);
    throw new SmsDeliveryError(`SENS refused the message: ${said}`);
  }
  return { requestId, body };
}

function causeOf(error: unknown): string {
  const cause = (error as Error).cause;
  return cause instanceof Error ? cause.message : (error as Error).message;
}

/** `x-ncp-apigw-signature-v2`: base64 HMAC-SHA256 of `POST {path}\n{timestamp}\n{accessKey}` with the secret key. */
export function sensSignature(credentials: Pick<SensCredentials, 'accessKey' | 'secretKey'>, path: string, timestamp: string): string {
  return createHmac('sha256', credentials.secretKey).update(`POST ${path}\n${timestamp}\n${credentials.accessKey}`).digest('base64');
}
