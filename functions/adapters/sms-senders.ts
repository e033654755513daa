import type { RuntimeConfig } from '../config';
import { SmsDeliveryError, type SmsSender } from '../domain/ports';
import { ConsoleSmsSender } from './console-sms-sender';
import type { ServiceSecrets } from './secrets';
import { SensSmsSender } from './sens-sms-sender';

/** The configured SMS sender: printed locally, SENS otherwise (the send function's part). */
export function smsSender(config: RuntimeConfig, secrets: ServiceSecrets): SmsSender {
  if (config.smsProvider === 'console') return new ConsoleSmsSender();
  const credentials = config.sens.credentials ?? secrets.sensCredentials;
  if (!credentials) {
    // Refuse every send (502, nothing charged) rather than fail the function: the SMS alarm tells the operator.
    const reason = secrets.sensProblem ?? 'SENS_SECRET_ARN is not set for this function';
    return { provider: 'sens', send: async () => Promise.reject(new SmsDeliveryError(reason)) };
  }
  return new SensSmsSender(credentials, { endpoint: config.sens.endpoint, timeoutMs: config.policy.smsTimeoutMs });
}
