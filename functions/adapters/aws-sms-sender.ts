import { PinpointSMSVoiceV2Client, SendTextMessageCommand, type PinpointSMSVoiceV2ClientConfig } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { AwsSmsSettings } from '../config';
import { SmsTimeoutError, type SendContext, type SmsMessage, type SmsReceipt, type SmsSender } from '../domain/ports';
import { sdkFailure } from './provider-answers';
import { ProviderConnection } from './provider-connection';

/** AWS's floor for `TimeToLive` (SendTextMessage, API reference): a code with less left still asks for 5 s. */
const MIN_TIME_TO_LIVE_SECONDS = 5;

/**
 * The `aws` provider: AWS End User Messaging SMS, `SendTextMessage` (docs/channels.md). IAM
 * authorises it, so there is no secret to store. The message is TRANSACTIONAL and lives no
 * longer than the code (`TimeToLive`): an SMS delivered after the code expired is useless. One
 * attempt per call (the client's `maxAttempts: 1`): trying again is the failover's decision,
 * never a retry loop's, which could send a second SMS.
 */
export class AwsSmsSender implements SmsSender {
  readonly provider = 'aws';

  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly settings: AwsSmsSettings,
    private readonly defaultTimeoutMs: number,
  ) {}

  async send(message: SmsMessage, context?: SendContext): Promise<SmsReceipt> {
    const timeoutMs = context?.timeoutMs ?? this.defaultTimeoutMs;
    const { originationIdentity, configurationSetName, protectConfigurationId } = this.settings;
    const command = new SendTextMessageCommand({
      DestinationPhoneNumber: message.to.e164,
      // An Alimtalk never comes here (only SENS sends it); its SMS text would.
      MessageBody: message.text,
      MessageType: 'TRANSACTIONAL',
      // The seconds the code has left as this request is made (after a failover, fewer than it started with).
      TimeToLive: Math.max(MIN_TIME_TO_LIVE_SECONDS, Math.floor((context?.codeTtlMs ?? 0) / 1000)),
      ...(originationIdentity && { OriginationIdentity: originationIdentity }),
      ...(configurationSetName && { ConfigurationSetName: configurationSetName }),
      ...(protectConfigurationId && { ProtectConfigurationId: protectConfigurationId }),
    });
    const connection = new ProviderConnection();
    let messageId: unknown;
    try {
      ({ MessageId: messageId } = await connection.run(() => this.client.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) })));
    } catch (error) {
      throw sdkFailure('AWS End User Messaging', error, timeoutMs, connection);
    }
    // Success is a MessageId; a 2xx without one (an empty or foreign body) may still have been accepted.
    if (typeof messageId !== 'string' || messageId === '')
      throw new SmsTimeoutError('AWS End User Messaging answered 2xx without a MessageId: the message may still arrive');
    return { providerRequestId: messageId };
  }
}

/**
 * The client, once per container: one attempt a call (whatever `where` says), endpoint from the
 * SDK's own variables (`AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`) unless `where` names one (tests).
 */
export function awsSmsClient(where: Pick<PinpointSMSVoiceV2ClientConfig, 'endpoint' | 'region' | 'credentials'> = {}): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({ ...where, maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } });
}
