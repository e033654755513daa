import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { SmsDeliveryError, SmsTimeoutError, type SendContext, type SmsMessage, type SmsReceipt, type SmsSender } from '../domain/ports';
import { answerObject, sdkFailure } from './provider-answers';
import { ProviderConnection } from './provider-connection';

/** What the hook receives (docs/channels.md, "Your own function"). */
export interface SmsHookEvent {
  readonly version: 1;
  readonly phoneNumber: string;
  readonly countryCallingCode: string;
  readonly nationalNumber: string;
  readonly channel: 'sms';
  readonly text: string;
  readonly code: string;
  readonly expiresAt: string;
}

/**
 * The `lambda` provider: your function, invoked synchronously (`RequestResponse`). It answers
 * `{ status: "sent", messageId? }` or `{ status: "failed", reason }`. A function error (HTTP 200
 * with `X-Amz-Function-Error`) is a refusal, unless the function timed out: then it may have
 * sent the message, which is a timeout (504), as is an answer that is neither.
 */
export class LambdaSmsSender implements SmsSender {
  readonly provider = 'lambda';

  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
    private readonly defaultTimeoutMs: number,
  ) {}

  async send(message: SmsMessage, context?: SendContext): Promise<SmsReceipt> {
    const timeoutMs = context?.timeoutMs ?? this.defaultTimeoutMs;
    const { to } = message;
    const event: SmsHookEvent = {
      version: 1,
      phoneNumber: to.e164,
      countryCallingCode: to.callingCode,
      nationalNumber: to.e164.slice(1 + to.callingCode.length),
      channel: 'sms',
      text: message.text,
      code: context?.code ?? '',
      expiresAt: context?.expiresAt ?? '',
    };
    const connection = new ProviderConnection();
    let answer;
    try {
      answer = await connection.run(() =>
        this.client.send(
          new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        ),
      );
    } catch (error) {
      throw sdkFailure('the SMS hook', error, timeoutMs, connection);
    }
    const result = answerObject(Buffer.from(answer.Payload ?? []).toString('utf8'));
    if (answer.FunctionError) {
      if (typeof result?.errorMessage === 'string' && /Task timed out after/.test(result.errorMessage))
        throw new SmsTimeoutError('the SMS hook timed out: it may have sent the message');
      // Its type only: the hook's own message may hold the number or the code.
      throw new SmsDeliveryError(
        `the SMS hook failed: ${answer.FunctionError}${typeof result?.errorType === 'string' ? ` ${result.errorType.slice(0, 100)}` : ''}`,
      );
    }
    if (result?.status === 'sent') return { providerRequestId: typeof result.messageId === 'string' ? result.messageId.slice(0, 200) : undefined };
    if (result?.status === 'failed') {
      // Digits masked: a reason may quote the number.
      throw new SmsDeliveryError(
        `the SMS hook refused the message: ${String(result.reason ?? '')
          .replace(/[0-9]/g, '#')
          .slice(0, 200)}`,
      );
    }
    throw new SmsTimeoutError('the SMS hook answered neither "sent" nor "failed": it may have sent the message');
  }
}

/** The client, once per container: one attempt a call (whatever `where` says), endpoint from `AWS_ENDPOINT_URL_LAMBDA` unless `where` names one (tests). */
export function lambdaClient(where: Pick<LambdaClientConfig, 'endpoint' | 'region' | 'credentials'> = {}): LambdaClient {
  return new LambdaClient({ ...where, maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } });
}
