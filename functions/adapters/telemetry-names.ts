/**
 * The names the functions publish their logs and metrics under, and the stack's alarms and
 * dashboard read: one source, so an alarm can never watch a namespace nobody writes to.
 */

/** The CloudWatch namespace of every metric the functions publish (as EMF log lines). */
export const METRIC_NAMESPACE = 'PhoneVerify';

/** The `service` of a stage: Powertools' service name, and the metrics' one dimension. */
export function serviceName(stage: string): string {
  return `phone-verify-${stage}`;
}

/** One per provider asked, with dimensions `provider` and `outcome` (docs/channels.md); one per send that needed a failover. */
export const SMS_ATTEMPT_METRIC = 'SmsAttempt';
export const SMS_FAILOVER_METRIC = 'SmsFailover';

/** One per published token key KMS could not read and the JWKS left out (docs/tokens.md). */
export const TOKEN_KEY_LEFT_OUT_METRIC = 'TokenKeyLeftOut';

/** One per send refused with 503 because the bot-challenge service failed us (docs/challenge.md); alarmed on. */
export const CHALLENGE_UNAVAILABLE_METRIC = 'ChallengeUnavailable';
