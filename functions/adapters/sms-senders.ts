import type { RuntimeConfig, SmsProviderName } from '../config';
import { SmsDeliveryError, type SmsSender } from '../domain/ports';
import { ConsoleSmsSender } from './console-sms-sender';
import { FailoverSender } from './failover-sender';
import type { ServiceSecrets } from './secrets';
import { SensSmsSender } from './sens-sms-sender';

/**
 * The configured providers, in order, behind one failover sender (the send function's part).
 * The AWS clients are imported only when their provider is listed: a SENS-only function never
 * loads them (its cold start stays what it was).
 */
export async function smsSender(config: RuntimeConfig, secrets: ServiceSecrets): Promise<SmsSender> {
  const senders = await Promise.all(config.smsProviders.map((name) => provider(name, config, secrets)));
  return new FailoverSender(senders);
}

async function provider(name: SmsProviderName, config: RuntimeConfig, secrets: ServiceSecrets): Promise<SmsSender> {
  const timeoutMs = config.policy.smsTimeoutMs;
  switch (name) {
    case 'console':
      return new ConsoleSmsSender();
    case 'sens': {
      const credentials = config.sens.credentials ?? secrets.sensCredentials;
      if (!credentials) {
        // Refuse (502, nothing charged; the next provider is asked) rather than fail the function: the SMS alarm tells the operator.
        const reason = secrets.sensProblem ?? 'SENS_SECRET_ARN is not set for this function';
        return { provider: 'sens', send: async () => Promise.reject(new SmsDeliveryError(reason)) };
      }
      return new SensSmsSender(credentials, { endpoint: config.sens.endpoint, timeoutMs });
    }
    case 'aws': {
      const { AwsSmsSender, awsSmsClient } = await import('./aws-sms-sender.js');
      return new AwsSmsSender(awsSmsClient(), config.awsSms, timeoutMs);
    }
    case 'lambda': {
      const { LambdaSmsSender, lambdaClient } = await import('./lambda-sms-sender.js');
      return new LambdaSmsSender(lambdaClient(), config.smsHookFunction ?? '', timeoutMs);
    }
  }
}
