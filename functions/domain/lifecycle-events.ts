import type { Channel, VerificationRecord } from './ports';

/**
 * The lifecycle events of a verification, derived from one committed change of its item (a
 * DynamoDB stream record's old and new images), never from the request path: an event exists
 * if and only if its change committed (docs/data-model.md, "From a committed change to events"). Pure: the events function feeds it
 * stream records and publishes what it returns, in order.
 */

export const EVENT_SOURCE = 'phone-verify';

export type LifecycleEvent =
  | Event<'Verification Code Sent', 'sent', { channel: Channel; provider: string | null; expiresAt: string; testNumber: boolean; providerTimedOut: boolean }>
  | Event<'Verification Check Failed', 'check_failed', { attemptsRemaining: number }>
  | Event<'Verification Locked', 'locked', { reasons: LockReason[]; lockedUntil?: string | null }>
  | Event<'Phone Number Verified', 'verified', { channel: Channel; verifiedAt: string; testNumber: boolean; tokenId: string }>;

/** Where events go that could not be published after every round: whole, `detail` included (the events function's SQS queue). */
export interface DeadLetters {
  send(events: readonly LifecycleEvent[]): Promise<void>;
}

export type LockReason = 'attempts_exhausted' | 'failed_streak';

type Event<DetailType extends string, Kind extends string, Detail> = {
  readonly detailType: DetailType;
  readonly detail: CommonDetail<Kind> & Detail;
};

interface CommonDetail<Kind extends string> {
  readonly version: 1;
  /** The item's `seq` after the change: consumers order a number's events by it. */
  readonly sequence: number;
  /** `<verificationId>:<sequence>:<kind>`: the same for every delivery of the same event. */
  readonly eventId: `${string}:${number}:${Kind}`;
  /** The send id of the code the event is about. */
  readonly verificationId: string;
  readonly phoneNumber: string;
  readonly stage: string;
  readonly occurredAt: string;
}

/** One committed change of an item. A removal (TTL, or a first send rolled back) has no new image. */
export interface ItemChange {
  readonly oldImage: VerificationRecord | undefined;
  readonly newImage: VerificationRecord | undefined;
  /** When DynamoDB committed it (the stream record's ApproximateCreationDateTime), epoch ms. */
  readonly committedAt: number;
}

export interface EventContext {
  readonly stage: string;
  /** How events show the number: E.164, or masked (`EVENTS_PHONE_NUMBER=masked`). */
  readonly phoneNumber: (e164: string) => string;
}

/** The events one committed change publishes, in order (none for most writes). */
export function lifecycleEvents({ oldImage: old, newImage: item, committedAt }: ItemChange, context: EventContext): LifecycleEvent[] {
  // Deletions publish nothing (TTL, or a first send a 502 rolled back); nor does a write that
  // cannot be ordered or named (an item from before seq, or without a send).
  if (!item || item.seq === undefined || item.sendId === undefined) return [];
  const { sendId, seq } = item;
  const common = <Kind extends string>(kind: Kind): CommonDetail<Kind> => ({
    version: 1,
    sequence: seq,
    eventId: `${sendId}:${seq}:${kind}`,
    verificationId: sendId,
    phoneNumber: context.phoneNumber(item.phoneNumber),
    stage: context.stage,
    occurredAt: new Date(committedAt).toISOString(),
  });
  const events: LifecycleEvent[] = [];
  const sameSend = old?.sendId === sendId;
  const testNumber = item.testNumber === true;

  // Settled: the settling write of this send (same send, state newly set), or a test number's
  // code, which is stored settled. A 502's rollback puts an earlier send (and its state) back: a
  // change of sendId on a code that is not a test number's publishes nothing.
  const settledNow = item.sendState !== undefined && (sameSend ? old?.sendState === undefined : testNumber);
  if (settledNow && item.codeExpiresAt !== undefined) {
    events.push({
      detailType: 'Verification Code Sent',
      detail: {
        ...common('sent'),
        channel: item.channel ?? 'sms',
        provider: item.provider ?? null,
        expiresAt: new Date(item.codeExpiresAt).toISOString(),
        testNumber,
        providerTimedOut: item.sendState === 'timed_out',
      },
    });
  }

  // A check: the decision write spent an attempt on this code.
  const guessed = sameSend && (item.attempts ?? 0) === (old?.attempts ?? 0) + 1 && item.lastGuessHash !== undefined;
  const reasons: LockReason[] = [];
  if (guessed && item.lastGuessHash === item.codeHash) {
    events.push({
      detailType: 'Phone Number Verified',
      detail: {
        ...common('verified'),
        channel: item.channel ?? 'sms',
        verifiedAt: new Date(committedAt).toISOString(),
        testNumber,
        tokenId: item.lastJti ?? '',
      },
    });
  } else if (guessed) {
    const attemptsRemaining = Math.max(0, (item.maxAttempts ?? 0) - (item.attempts ?? 0));
    events.push({ detailType: 'Verification Check Failed', detail: { ...common('check_failed'), attemptsRemaining } });
    if (attemptsRemaining === 0) reasons.push('attempts_exhausted');
  }

  // The streak locked the number: the lock write raises lockCount.
  if ((item.lockCount ?? 0) > (old?.lockCount ?? 0) && (item.lockedUntil !== undefined || item.permanentLock === true)) reasons.push('failed_streak');
  if (reasons.length > 0) {
    // When the streak's lock ends; null for a lock for good (only an operator lifts it).
    const lockedUntil = !reasons.includes('failed_streak') ? undefined : item.permanentLock ? null : new Date(item.lockedUntil ?? 0).toISOString();
    events.push({ detailType: 'Verification Locked', detail: { ...common('locked'), reasons, ...(lockedUntil !== undefined && { lockedUntil }) } });
  }
  return events;
}
