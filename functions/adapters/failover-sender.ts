import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SmsDeliveryError, SmsTimeoutError, type SendContext, type SmsMessage, type SmsReceipt, type SmsSender } from '../domain/ports';
import { metrics, requestLog } from './observability';
import { SMS_ATTEMPT_METRIC, SMS_FAILOVER_METRIC } from './telemetry-names';

export type AttemptOutcome = 'accepted' | 'refused' | 'timed_out';

/** Where each attempt is told (a metric and a log line in the functions; a list in tests). */
export interface AttemptRecorder {
  attempt(provider: string, outcome: AttemptOutcome): void;
  failover(): void;
}

/** A provider is not asked with less than this left of `SMS_TIMEOUT_MS`: too little to be told its answer. */
export const MIN_PROVIDER_MS = 200;

/**
 * The providers of `SMS_PROVIDER`, tried in order for one send (docs/channels.md, "Providers and
 * failover"): the next only when the current one refused; a timeout tries nobody else (the
 * message may still arrive, and a second would be a second SMS). `SMS_TIMEOUT_MS` bounds the
 * whole send: each provider gets what is left, and so does the hourly budget's write before each
 * provider after the first (cut off, it counts as charged and the send stops). A provider is not
 * asked, nor its message paid for, with less than `MIN_PROVIDER_MS` left. An Alimtalk goes to
 * SENS first, whatever its place, and on as an SMS through the others.
 */
export class FailoverSender implements SmsSender {
  readonly provider: string;

  constructor(
    private readonly senders: readonly SmsSender[],
    private readonly recorder: AttemptRecorder = metricsRecorder,
    private readonly now: () => number = Date.now,
  ) {
    if (senders.length === 0) throw new Error('FailoverSender needs a provider');
    this.provider = senders[0]!.provider;
  }

  async send(message: SmsMessage, context?: SendContext): Promise<SmsReceipt> {
    const started = this.now();
    const timeoutMs = context?.timeoutMs ?? Number.POSITIVE_INFINITY;
    const left = () => timeoutMs - (this.now() - started);
    const order = message.channel === 'alimtalk' ? [...this.senders.filter(sendsAlimtalk), ...this.senders.filter((s) => !sendsAlimtalk(s))] : this.senders;
    const refusals: string[] = [];
    for (const [i, sender] of order.entries()) {
      // Only SENS sends Alimtalk; after it, the message goes on as the SMS it carries.
      const attempt: SmsMessage = message.channel === 'alimtalk' && !sendsAlimtalk(sender) ? { channel: 'sms', to: message.to, text: message.text } : message;
      if (i > 0) {
        const stop = await this.mayAsk(sender.provider, left, context);
        if (stop) {
          refusals.push(stop);
          break;
        }
        // Counted when a second provider is asked, whatever it answers (alarmed on in prod).
        if (i === 1) this.recorder.failover();
      }
      try {
        // The code's time left when this request is made: AWS's TimeToLive after a failover is less.
        const receipt = await sender.send(attempt, context && { ...context, timeoutMs: left(), codeTtlMs: context.codeTtlMs - (this.now() - started) });
        this.recorder.attempt(sender.provider, 'accepted');
        return { ...receipt, provider: receipt.provider ?? sender.provider, channel: attempt.channel };
      } catch (error) {
        if (error instanceof SmsDeliveryError) {
          this.recorder.attempt(sender.provider, 'refused');
          refusals.push(`${sender.provider}: ${error.message}`);
          continue;
        }
        // A timeout, or an error the sender could not classify (a bug) once the request may have
        // gone out: the message may arrive, so nobody else is asked.
        const timedOut = error instanceof SmsTimeoutError ? error : unclassified(sender.provider, error);
        this.recorder.attempt(sender.provider, 'timed_out');
        timedOut.provider ??= sender.provider;
        timedOut.channel ??= attempt.channel;
        throw timedOut;
      }
    }
    throw new SmsDeliveryError(refusals.join('; '));
  }

  /**
   * Whether the next provider may be asked: time first (a provider there is no time for costs no
   * budget), then the budget's write, then the time again (the write may have used it up).
   * @returns why not, or undefined when it may
   */
  private async mayAsk(provider: string, left: () => number, context: SendContext | undefined): Promise<string | undefined> {
    const tooLate = () => (left() < MIN_PROVIDER_MS ? `under ${MIN_PROVIDER_MS} ms of SMS_TIMEOUT_MS left for ${provider}: not asked` : undefined);
    const early = tooLate();
    if (early || !context?.beforeFailover) return early;
    try {
      if (!(await context.beforeFailover(left()))) return `the hourly SMS budget is spent: ${provider} not asked`;
    } catch (error) {
      if (error instanceof SmsDeliveryError) return error.message;
      throw error;
    }
    return tooLate();
  }
}

/** An error a provider's sender threw that says neither refused nor timed out: a 504, never a second provider. */
function unclassified(provider: string, error: unknown): SmsTimeoutError {
  return new SmsTimeoutError(`${provider} failed unclassified (${(error as Error | undefined)?.name ?? 'error'}): the message may have gone`, { cause: error });
}

/** SENS sends Alimtalk; the console provider prints it (locally). */
function sendsAlimtalk(sender: SmsSender): boolean {
  return sender.provider === 'sens' || sender.provider === 'console';
}

/** `SmsAttempt` per provider and outcome, `SmsFailover` per send that needed one (alarmed on in prod), and a log line. */
const metricsRecorder: AttemptRecorder = {
  attempt(provider, outcome) {
    requestLog().info('sms attempt', { provider, outcome });
    const single = metrics.singleMetric();
    single.addDimensions({ provider, outcome });
    single.addMetric(SMS_ATTEMPT_METRIC, MetricUnit.Count, 1);
  },
  failover() {
    metrics.addMetric(SMS_FAILOVER_METRIC, MetricUnit.Count, 1);
  },
};
