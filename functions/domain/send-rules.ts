import type { IdempotentRefusal, LockRefusal, SendAccepted, SendPlan, SendRefusal, VerificationRecord } from './ports';

/** The daily cap is a fixed 24-hour window (docs/limits.md), starting at the window's first send. */
export const DAILY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Whether `record`'s daily window is still in force at `plan.now`. */
export function windowIsCurrent(record: VerificationRecord | undefined, plan: Pick<SendPlan, 'now' | 'windowMs'>): boolean {
  return record?.windowStart !== undefined && record.windowStart > plan.now - plan.windowMs;
}

/** Whether `record` holds a code that can still be checked at `now`: there, unexpired, not yet approved. */
export function hasPendingCode(record: VerificationRecord | undefined, now: number): boolean {
  return record?.codeHash !== undefined && (record.codeExpiresAt ?? 0) > now && record.lastGuessHash !== record.codeHash;
}

/**
 * The refusal `plan` meets against `record`, or undefined when every limit allows it. Order
 * matters: an idempotent retry is answered before any limit, and the daily cap wins over the
 * cooldown (docs/limits.md, "A send, in order").
 */
export function sendRefusal(record: VerificationRecord | undefined, plan: SendPlan): SendRefusal | undefined {
  if (!record) return undefined;
  const repeated = idempotentRefusal(record, plan);
  if (repeated) return repeated;
  const locked = lockInForce(record, plan.now);
  if (locked) return locked;
  if (windowIsCurrent(record, plan) && (record.sendCount ?? 0) >= plan.maxSendsPerWindow) {
    return { kind: 'daily_cap', retryAt: (record.windowStart ?? 0) + plan.windowMs };
  }
  if (plan.cooldownMs > 0 && record.lastSentAt !== undefined && record.lastSentAt > plan.now - plan.cooldownMs) {
    return { kind: 'cooldown', retryAt: record.lastSentAt + plan.cooldownMs };
  }
  return undefined;
}

/**
 * Whether `plan` repeats the send of the same `Idempotency-Key` that made `record`'s pending
 * code (docs/api.md, "Idempotent send"): the stored 202 is replayed, or the first is still in
 * flight. Test numbers obey the same rule.
 */
export function idempotentRefusal(
  record: VerificationRecord | undefined,
  plan: Pick<SendPlan, 'idempotencyKey' | 'now' | 'inFlightMs'>,
): IdempotentRefusal | undefined {
  if (plan.idempotencyKey === undefined || record?.idempotencyKey !== plan.idempotencyKey || !hasPendingCode(record, plan.now)) return undefined;
  if (record.idempotentResponse) return { kind: 'replay', response: sendAccepted(record.idempotentResponse) };
  if ((record.lastSentAt ?? 0) > plan.now - plan.inFlightMs) return { kind: 'in_progress' };
  return undefined;
}

/** The lock in force on `record` at `now`, if any (docs/limits.md, "The failed-guess streak"). */
export function lockInForce(record: VerificationRecord | undefined, now: number): LockRefusal | undefined {
  if (record?.permanentLock) return { kind: 'locked', retryAt: undefined };
  if (record?.lockedUntil !== undefined && record.lockedUntil > now) return { kind: 'locked', retryAt: record.lockedUntil };
  return undefined;
}

/**
 * Whether `record`'s last code was approved but its streak never reset (the reset write was
 * lost): the next send clears it in its own write.
 */
export function streakLeftAfterApproval(record: VerificationRecord | undefined): boolean {
  return record?.codeHash !== undefined && record.lastGuessHash === record.codeHash && (record.streak ?? 0) > 0;
}

/** NIST SP 800-63B-4: at most 100 consecutive failed attempts. At this streak a lock no longer ends by itself. */
export const PERMANENT_LOCK_STREAK = 100;

/** The first lock lasts an hour (or the longest lock, if shorter). */
const FIRST_LOCK_MS = 3_600_000;

/** How long the lock after `lockCount` earlier locks in the streak lasts: an hour, doubling each time, at most `maxLockMs`. */
export function lockDuration(lockCount: number, maxLockMs: number): number {
  return Math.min(maxLockMs, FIRST_LOCK_MS * 2 ** Math.min(lockCount, 30));
}

/** 90 days after the last wrong guess the item may go: waiting never resets a streak sooner. */
export const STREAK_KEPT_MS = 90 * 24 * 3_600_000;

/** The item's TTL in epoch seconds: the later of code expiry and window end, so TTL never deletes a live counter. */
export function ttlSeconds(codeExpiresAt: number, windowEnd: number): number {
  return Math.ceil(Math.max(codeExpiresAt, windowEnd) / 1000);
}

/**
 * The 202 body with its members in the one order the API writes them: a replay read back from
 * DynamoDB (whose maps keep no order) serialises to exactly the bytes of the original.
 */
export function sendAccepted(body: SendAccepted): SendAccepted {
  // Replays stored before `channel` existed were all SMS.
  return {
    status: body.status,
    phoneNumber: body.phoneNumber,
    channel: body.channel ?? 'sms',
    expiresAt: body.expiresAt,
    resendAvailableAt: body.resendAvailableAt,
  };
}

/** The attributes a send writes; a 502's rollback puts exactly these back (docs/data-model.md). Every store uses this list. */
export const SEND_ATTRIBUTES = [
  'codeHash',
  'codeExpiresAt',
  'attempts',
  'maxAttempts',
  'lastGuessHash',
  'sendId',
  'channel',
  'lastSentAt',
  'windowStart',
  'sendCount',
  'idempotencyKey',
  'idempotentResponse',
  'sendState',
  'provider',
  'testNumber',
] as const satisfies ReadonlyArray<keyof VerificationRecord>;
