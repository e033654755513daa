import type {
  AbuseCounters,
  IdempotentRefusal,
  Reservation,
  SendAccepted,
  TestCode,
  SendPlan,
  SpentAttempt,
  VerificationRecord,
  VerificationStore,
} from '../../functions/domain/ports';
import { hasPendingCode, idempotentRefusal, sendRefusal, ttlSeconds, windowIsCurrent } from '../../functions/domain/send-rules';

/**
 * The store's contract in memory, for property tests of the domain: each method is atomic here
 * because JavaScript runs one at a time, as each DynamoDB conditional write is atomic there.
 */
export class InMemoryVerificationStore implements VerificationStore {
  readonly items = new Map<string, VerificationRecord>();

  async reserveSend(plan: SendPlan): Promise<Reservation> {
    const old = this.items.get(plan.phoneNumber);
    const refusal = sendRefusal(old, plan);
    if (refusal) return { reserved: false, refusal };
    const current = windowIsCurrent(old, plan);
    const windowStart = current ? (old?.windowStart ?? plan.now) : plan.now;
    const sendCount = current ? (old?.sendCount ?? 0) + 1 : 1;
    this.items.set(plan.phoneNumber, {
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
      ttl: Math.max(current ? (old?.ttl ?? 0) : 0, ttlSeconds(plan.codeExpiresAt, windowStart + plan.windowMs)),
      ...(plan.idempotencyKey !== undefined && { idempotencyKey: plan.idempotencyKey }),
    });
    return { reserved: true, previous: old, windowStart, sendCount };
  }

  async releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown'): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.sendId !== sendId) return;
    if (previous === 'unknown') {
      const { codeHash: _code, idempotencyKey: _key, idempotentResponse: _response, ...counters } = item;
      this.items.set(phoneNumber, counters);
    } else if (previous) this.items.set(phoneNumber, previous);
    else this.items.delete(phoneNumber);
  }

  async rememberResponse(phoneNumber: string, sendId: string, response: SendAccepted): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.sendId === sendId) this.items.set(phoneNumber, { ...item, idempotentResponse: response });
  }

  async forgetIdempotencyKey(phoneNumber: string, sendId: string): Promise<void> {
    const item = this.items.get(phoneNumber);
    if (item?.sendId !== sendId) return;
    const { idempotencyKey: _dropped, ...rest } = item;
    this.items.set(phoneNumber, rest);
  }

  async storeTestCode(code: TestCode): Promise<IdempotentRefusal | undefined> {
    const old = this.items.get(code.phoneNumber);
    const repeated = idempotentRefusal(old, code);
    if (repeated) return repeated;
    const { lastGuessHash: _g, idempotencyKey: _k, idempotentResponse: _r, ...rest } = old ?? { phoneNumber: code.phoneNumber };
    this.items.set(code.phoneNumber, {
      ...rest,
      codeHash: code.codeHash,
      codeExpiresAt: code.codeExpiresAt,
      attempts: 0,
      maxAttempts: code.maxAttempts,
      sendId: code.sendId,
      channel: code.channel,
      ttl: ttlSeconds(code.codeExpiresAt, 0),
      ...(code.idempotencyKey !== undefined && { idempotencyKey: code.idempotencyKey, idempotentResponse: code.response }),
    });
    return undefined;
  }

  async recordGuess(phoneNumber: string, guessHash: string, now: number): Promise<SpentAttempt> {
    const item = this.items.get(phoneNumber);
    if (!item || !hasPendingCode(item, now) || (item.attempts ?? 0) >= (item.maxAttempts ?? 0)) return { spent: false, current: item };
    const record = { ...item, attempts: (item.attempts ?? 0) + 1, lastGuessHash: guessHash };
    this.items.set(phoneNumber, record);
    return { spent: true, record };
  }
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
