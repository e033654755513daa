import type {
  AbuseCounters,
  IdempotentRefusal,
  LockRefusal,
  Reservation,
  StreakState,
  SendSettlement,
  TestCode,
  SendPlan,
  SpentAttempt,
  VerificationRecord,
  VerificationStore,
} from '../../functions/domain/ports';
import {
  PERMANENT_LOCK_STREAK,
  SEND_ATTRIBUTES,
  STREAK_KEPT_MS,
  hasPendingCode,
  idempotentRefusal,
  lockInForce,
  sendRefusal,
  streakLeftAfterApproval,
  ttlSeconds,
  windowIsCurrent,
} from '../../functions/domain/send-rules';

/**
 * The store's contract in memory, for property tests of the domain: each method is atomic here
 * because JavaScript runs one at a time, as each DynamoDB conditional write is atomic there.
 */
export class InMemoryVerificationStore implements VerificationStore {
  readonly items: Map<string, VerificationRecord> = new SeqMap();
  /** Every committed change, in order, with its old and new image (what a DynamoDB stream gives). */
  get changes(): SeqMap['changes'] {
    return (this.items as SeqMap).changes;
  }

  async reserveSend(plan: SendPlan): Promise<Reservation> {
    const old = this.items.get(plan.phoneNumber);
    const refusal = sendRefusal(old, plan);
    if (refusal) return { reserved: false, refusal };
    const current = windowIsCurrent(old, plan);
    const windowStart = current ? (old?.windowStart ?? plan.now) : plan.now;
    const sendCount = current ? (old?.sendCount ?? 0) + 1 : 1;
    // The send's attributes only: the streak and a lock stay (a lost reset after an approval is cleared).
    const {
      idempotencyKey: _k,
      idempotentResponse: _r,
      lastGuessHash: _g,
      sendState: _s,
      provider: _p,
      testNumber: _t,
      ...kept
    } = old ?? { phoneNumber: plan.phoneNumber };
    const reset = streakLeftAfterApproval(old) ? { streak: 0, lockCount: 0, lockedUntil: undefined } : {};
    this.items.set(
      plan.phoneNumber,
      withoutUndefined({
        ...kept,
        ...reset,
        phoneNumber: plan.phoneNumber,
        codeHash: plan.codeHash,
        codeExpiresAt: plan.codeExpiresAt,
        attempts: 0,
        maxAttempts: plan.maxAttempts,
        sendId: plan.sendId,
        channel: plan.channel,
        lastSentAt: plan.now,
        windowStart,
        sendCount,
        ttl: Math.max(old?.ttl ?? 0, ttlSeconds(plan.codeExpiresAt, current ? 0 : windowStart + plan.windowMs)),
        ...(plan.idempotencyKey !== undefined && { idempotencyKey: plan.idempotencyKey }),
      }),
    );
    return { reserved: true, previous: old, windowStart, sendCount };
  }

  async releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown'): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.sendId !== sendId) return;
    if (previous === 'unknown') {
      const { codeHash: _code, idempotencyKey: _key, idempotentResponse: _response, ...counters } = item;
      this.items.set(phoneNumber, counters);
      return;
    }
    // The send's own attributes as they were; the streak and a lock stay, and the TTL goes back
    // while the streak is as the reservation found it.
    const restored: Record<string, unknown> = { ...item };
    if (previous !== undefined && previous.ttl !== undefined && item.streak === previous.streak) restored.ttl = previous.ttl;
    for (const a of SEND_ATTRIBUTES) {
      if (previous?.[a] === undefined) delete restored[a];
      else restored[a] = previous[a];
    }
    const untouched = item.streak === undefined && item.lockedUntil === undefined && item.permanentLock === undefined;
    if (previous === undefined && untouched) this.items.delete(phoneNumber);
    else this.items.set(phoneNumber, restored as unknown as VerificationRecord);
  }

  async settleSend(phoneNumber: string, sendId: string, { state, provider, channel, response }: SendSettlement): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.sendId !== sendId) return;
    const { idempotencyKey, ...rest } = item;
    const settled = { ...rest, sendState: state, provider, channel };
    if (state === 'timed_out') this.items.set(phoneNumber, settled);
    else
      this.items.set(phoneNumber, {
        ...settled,
        ...(idempotencyKey !== undefined && { idempotencyKey }),
        ...(response !== undefined && { idempotentResponse: response }),
      });
  }

  async storeTestCode(code: TestCode): Promise<IdempotentRefusal | LockRefusal | undefined> {
    const old = this.items.get(code.phoneNumber);
    const refused = idempotentRefusal(old, code) ?? lockInForce(old, code.now);
    if (refused) return refused;
    const { lastGuessHash: _g, idempotencyKey: _k, idempotentResponse: _r, provider: _p, ...rest } = old ?? { phoneNumber: code.phoneNumber };
    this.items.set(code.phoneNumber, {
      ...rest,
      codeHash: code.codeHash,
      codeExpiresAt: code.codeExpiresAt,
      attempts: 0,
      maxAttempts: code.maxAttempts,
      sendId: code.sendId,
      channel: code.channel,
      sendState: 'accepted',
      testNumber: true,
      ttl: Math.max(old?.ttl ?? 0, ttlSeconds(code.codeExpiresAt, 0)), // raised, never lowered (a streak's 90 days)
      ...(code.idempotencyKey !== undefined && { idempotencyKey: code.idempotencyKey, idempotentResponse: code.response }),
    });
    return undefined;
  }

  async recordGuess(phoneNumber: string, guessHash: string, now: number, jti: string): Promise<SpentAttempt> {
    const item = this.items.get(phoneNumber);
    if (!item || !hasPendingCode(item, now) || (item.attempts ?? 0) >= (item.maxAttempts ?? 0) || lockInForce(item, now))
      return { spent: false, current: item };
    const record = { ...item, attempts: (item.attempts ?? 0) + 1, lastGuessHash: guessHash, lastJti: jti };
    this.items.set(phoneNumber, record);
    return { spent: true, record };
  }

  async countWrongGuess(phoneNumber: string, now: number, jti: string): Promise<StreakState> {
    const item = this.items.get(phoneNumber) ?? { phoneNumber };
    // A lock for good keeps no TTL.
    const next = { ...item, streak: (item.streak ?? 0) + 1, lastWrongJti: jti, ...(!item.permanentLock && { ttl: ttlSeconds(now + STREAK_KEPT_MS, 0) }) };
    this.items.set(phoneNumber, next);
    return { streak: next.streak, lockCount: next.lockCount ?? 0, lockedUntil: next.lockedUntil, permanentLock: next.permanentLock === true };
  }

  async lock(phoneNumber: string, now: number, maxFailedGuesses: number, seenLockCount: number, until: number | undefined): Promise<boolean> {
    const item = this.items.get(phoneNumber);
    if (!item) return false;
    const { lockedUntil: _u, ttl, ...rest } = item;
    if (until === undefined) {
      // For good at 100, whatever timed lock is in force, once.
      if ((item.streak ?? 0) < PERMANENT_LOCK_STREAK || item.permanentLock) return false;
      this.items.set(phoneNumber, { ...rest, lockCount: (item.lockCount ?? 0) + 1, permanentLock: true });
      return true;
    }
    if ((item.streak ?? 0) < maxFailedGuesses || lockInForce(item, now) || (item.lockCount ?? 0) !== seenLockCount) return false;
    this.items.set(phoneNumber, { ...rest, ...(ttl !== undefined && { ttl }), lockedUntil: until, lockCount: seenLockCount + 1 });
    return true;
  }

  async resetStreak(phoneNumber: string, jti: string): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.lastJti !== jti) return;
    const { lockedUntil: _u, ...rest } = item;
    this.items.set(phoneNumber, { ...rest, streak: 0, lockCount: 0 });
  }

  async readItem(phoneNumber: string): Promise<VerificationRecord | undefined> {
    return this.items.get(phoneNumber);
  }
}

function withoutUndefined(record: Record<string, unknown>): VerificationRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as VerificationRecord;
}

/** The abuse counters in memory: the same contract as the DynamoDB ones, for tests of the domain. */
export class InMemoryAbuseCounters implements AbuseCounters {
  readonly counts = new Map<string, number>();
  /** When each bucket may go (nothing here deletes it: the hour is in its name). */
  readonly expiries = new Map<string, number>();

  async take(bucket: string, max: number, expiresAt: number): Promise<boolean> {
    const count = this.counts.get(bucket) ?? 0;
    if (count >= max) return false;
    this.counts.set(bucket, count + 1);
    this.expiries.set(bucket, expiresAt);
    return true;
  }

  async giveBack(bucket: string): Promise<void> {
    const count = this.counts.get(bucket) ?? 0;
    if (count > 0) this.counts.set(bucket, count - 1);
  }
}

/**
 * The items, each write raising the item's `seq` as DynamoDB's does (from the wall clock in ms
 * when it has none), and every committed change kept like a stream with new and old images.
 */
class SeqMap extends Map<string, VerificationRecord> {
  readonly changes: Array<{ oldImage: VerificationRecord | undefined; newImage: VerificationRecord | undefined }> = [];

  override set(key: string, value: VerificationRecord): this {
    const oldImage = this.get(key);
    const newImage = { ...value, seq: (oldImage?.seq ?? Date.now()) + 1 };
    this.changes?.push({ oldImage, newImage });
    return super.set(key, newImage);
  }

  override delete(key: string): boolean {
    const oldImage = this.get(key);
    if (oldImage) this.changes.push({ oldImage, newImage: undefined });
    return super.delete(key);
  }
}
