import type { Clock, SmsMessage, SmsReceipt, SmsSender } from '../../functions/domain/ports';
import { SmsDeliveryError, SmsTimeoutError } from '../../functions/domain/ports';

/** Pure fakes of the domain's ports (no I/O): a clock moved by hand, a sender that records. */

const HOUR = 3_600_000;

/**
 * A clock the test moves by hand. It starts on a whole hour a day after the real time: DynamoDB
 * Local really deletes items whose TTL lies in the real past, so a fixed date that has since
 * passed made items vanish between two sends of one test (a flaky daily-cap count).
 */
export class TestClock implements Clock {
  constructor(public current = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Records every message; can be told to refuse or time out, or to hold the next send. */
export class RecordingSender implements SmsSender {
  readonly provider = 'test';
  readonly messages: SmsMessage[] = [];
  mode: 'ok' | 'refuse' | 'timeout' = 'ok';
  private held: { enter: () => void; gate: Promise<void> } | undefined;

  /**
   * Holds the next send inside the sender until `release`: `entered` resolves once a send got
   * there (its code is reserved; it waits on the "provider"), a latch in place of a guessed sleep.
   */
  hold(): { entered: Promise<void>; release: () => void } {
    let enter!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((r) => (enter = r));
    this.held = { enter, gate: new Promise<void>((r) => (release = r)) };
    return { entered, release };
  }

  async send(message: SmsMessage): Promise<SmsReceipt> {
    const held = this.held;
    this.held = undefined;
    if (held) {
      held.enter();
      await held.gate;
    }
    if (this.mode === 'refuse') throw new SmsDeliveryError('refused by test');
    this.messages.push(message);
    if (this.mode === 'timeout') throw new SmsTimeoutError('timed out in test');
    return { providerRequestId: `test-${this.messages.length}` };
  }
  /** The code in the last message sent to `e164`. */
  lastCode(e164 = '+821012345678'): string {
    const message = this.messages.filter((m) => m.to.e164 === e164).at(-1);
    const code = message?.text.match(/\[([0-9]+)\]/)?.[1];
    if (!code) throw new Error(`no code was sent to ${e164}`);
    return code;
  }
}

/** A code of the same length that is certainly not `code`. */
export function wrong(code: string): string {
  return code.replace(/^./, (d) => String((Number(d) + 1) % 10));
}
