import { randomUUID } from 'node:crypto';
import { CodeHasher, generateCode } from './code';
import { budgetBucket, hourEnd, hourlyCounters, type AbuseLimits } from './abuse-limits';
import { challengeRequired, type ChallengeWhen } from './challenge';
import { VerificationError, secondsUntil } from './errors';
import { composeMessage, resolveChannel, type MessageFormat } from './message';
import type { PhoneNumber } from './phone';
import {
  SmsDeliveryError,
  SmsTimeoutError,
  type AbuseCounters,
  type ChallengeVerifier,
  type Channel,
  type Clock,
  type DestinationGuard,
  type GuardVerdict,
  type SendAccepted,
  type SendPlan,
  type SendRefusal,
  type SmsReceipt,
  type SmsSender,
  type VerificationStore,
} from './ports';
import { DAILY_WINDOW_MS, PERMANENT_LOCK_STREAK, hasPendingCode, idempotentRefusal, lockDuration, lockInForce, sendAccepted } from './send-rules';
import { StoreAllowance, idempotencyLeaseMs } from './send-time';
import type { TokenIssuer } from './token';

/** The limits (docs/configuration.md), in the units the rules use. */
export interface VerificationPolicy extends AbuseLimits {
  readonly codeLength: number;
  readonly codeTtlMs: number;
  readonly maxCheckAttempts: number;
  readonly resendCooldownMs: number;
  readonly maxSendsPerDay: number;
  readonly smsTimeoutMs: number;
  /** Wrong guesses in a row, across codes, that lock the number (MAX_FAILED_GUESSES). */
  readonly maxFailedGuesses: number;
  /** The longest lock (LOCK_SECONDS), in ms. */
  readonly lockMaxMs: number;
  /** App-review numbers and their fixed codes (E.164 → code): no SMS, no limit charged. */
  readonly testNumbers: ReadonlyMap<string, string>;
}

export interface SendOptions {
  /** Repeats of the same key get the first 202 back (docs/api.md, "Idempotent send"). */
  readonly idempotencyKey?: string | undefined;
  /** The channel the request asked for; the configured default when absent. */
  readonly channel?: Channel | undefined;
  /** The bot-challenge token the client's widget handed out (docs/challenge.md). */
  readonly challengeToken?: string | undefined;
  /** The caller's address as API Gateway saw it (`requestContext.identity.sourceIp`), for the challenge service. */
  readonly remoteIp?: string | undefined;
}

export interface SendOutcome {
  readonly response: SendAccepted;
  /** True when an `Idempotency-Key` retry got the original 202 back and nothing was sent. */
  readonly replayed: boolean;
  /** The SMS provider's id of the accepted message (SENS `requestId`), for the log. */
  readonly providerRequestId?: string | undefined;
  /** The provider that accepted it. */
  readonly provider?: string | undefined;
  /** The 202 could not be stored for `Idempotency-Key` replays (worth a warning in the log). */
  readonly replayNotStored?: true;
  /** A test number: nothing was sent and nothing charged. */
  readonly testNumber?: true;
}

export interface ApprovedCheck {
  readonly status: 'approved';
  readonly phoneNumber: string;
  readonly token: string;
  readonly tokenExpiresAt: string;
  /** A test number's approval (for the log and the metric; not part of the 200 body). */
  readonly testNumber?: true;
}

export interface VerificationServiceDeps {
  readonly store: VerificationStore;
  readonly counters: AbuseCounters;
  readonly sender: SmsSender;
  readonly hasher: CodeHasher;
  readonly tokens: Pick<TokenIssuer, 'issue'>;
  readonly clock: Clock;
  readonly policy: VerificationPolicy;
  readonly message: MessageFormat;
  /**
   * Real milliseconds all the store calls of one send may take together, the providers' time
   * apart (docs/limits.md, "How long a send may take"): the store's own limits decide it.
   */
  readonly storeAllowanceMs: number;
  /** The SMS-pumping guard; absent: every destination is clear. */
  readonly guard?: DestinationGuard | undefined;
  /** The bot challenge, where the environment configured one (docs/challenge.md), with its own time limit. */
  readonly challenge?: { readonly verifier: ChallengeVerifier; readonly when: ChallengeWhen; readonly timeoutMs: number } | undefined;
}

/** Retry-After of a 503 for a challenge service that failed us: a few seconds, as for DynamoDB. */
const CHALLENGE_RETRY_AFTER_SECONDS = 5;

const CLEAR: GuardVerdict = { kind: 'clear' };

const iso = (ms: number) => new Date(ms).toISOString();

/** The send and check rules (docs/limits.md), independent of HTTP, Lambda and DynamoDB. */
export class VerificationService {
  constructor(private readonly deps: VerificationServiceDeps) {}

  /**
   * Sends a new code to `phone`, replacing any pending one, on the channel asked for (else the
   * configured default).
   * @throws VerificationError `unsupported_channel`, `challenge_required`, `challenge_failed`,
   *   `resend_too_soon`, `send_limit_reached`, `request_in_progress`, `number_range_limited`,
   *   `sms_budget_exhausted`, `sms_delivery_failed` (nothing charged) or `sms_provider_timeout`
   *   (charged: it may arrive)
   */
  async send(phone: PhoneNumber, options: SendOptions = {}): Promise<SendOutcome> {
    const { store, sender, hasher, clock, policy, message: format } = this.deps;
    const { idempotencyKey } = options;
    const now = clock.now();
    // Every store call below takes `storeTime.signal`: a slow DynamoDB cannot stretch the send past its worst.
    const storeTime = new StoreAllowance(this.deps.storeAllowanceMs);
    const testCode = policy.testNumbers.get(phone.e164);
    if (testCode !== undefined) return this.sendTestNumber(phone, testCode, now, resolveChannel(format, options.channel), idempotencyKey, storeTime.signal);
    const code = generateCode(policy.codeLength);
    // Decided (and refused) before anything is charged.
    const message = composeMessage(format, options.channel, phone, code);
    const plan = {
      phoneNumber: phone.e164,
      sendId: randomUUID(),
      codeHash: hasher.hash(phone.e164, code),
      now,
      codeExpiresAt: now + policy.codeTtlMs,
      maxAttempts: policy.maxCheckAttempts,
      cooldownMs: policy.resendCooldownMs,
      maxSendsPerWindow: policy.maxSendsPerDay,
      windowMs: DAILY_WINDOW_MS,
      inFlightMs: this.leaseMs(),
      idempotencyKey,
      channel: message.channel,
    };
    // Before anything is charged: a script without a valid token costs nothing (docs/challenge.md).
    const replay = await this.passChallenge(phone, plan, options, storeTime);
    if (replay) return replay;
    const reservation = await store.reserveSend(plan, storeTime.signal);
    if (!reservation.reserved) {
      const { refusal } = reservation;
      if (refusal.kind === 'replay') return { response: refusal.response, replayed: true };
      throw refusalError(refusal, now);
    }

    // The number's own limits passed; now the environment's ceilings. A refusal puts the number back.
    let ceiling: VerificationError | undefined;
    try {
      ceiling = await this.takeHourlyCounters(phone, now, storeTime.signal);
    } catch (error) {
      await settled(store.releaseSend(phone.e164, plan.sendId, reservation.previous, storeTime.signal));
      throw error;
    }
    if (ceiling) {
      await store.releaseSend(phone.e164, plan.sendId, reservation.previous, storeTime.signal);
      throw ceiling;
    }

    const capUsed = reservation.sendCount >= policy.maxSendsPerDay;
    let receipt: SmsReceipt;
    try {
      receipt = await storeTime.paused(() =>
        sender.send(message, {
          timeoutMs: policy.smsTimeoutMs,
          code,
          expiresAt: iso(plan.codeExpiresAt),
          codeTtlMs: policy.codeTtlMs - storeTime.elapsedMs(),
          // The hourly budget bounds the bill: every provider asked counts (docs/limits.md).
          beforeFailover: (leftMs) => this.takeBudget(now, leftMs),
        }),
      );
    } catch (error) {
      if (error instanceof SmsTimeoutError) {
        // The message may still arrive: the code stays active and the limits stay charged. If the
        // key cannot be dropped, a retry meets 409 until the in-flight lease ends: still a 504 now.
        const settlement = { state: 'timed_out', provider: error.provider ?? sender.provider, channel: error.channel ?? message.channel } as const;
        await settled(store.settleSend(phone.e164, plan.sendId, settlement, storeTime.signal));
        throw new VerificationError('sms_provider_timeout', {}, { cause: error });
      }
      // Refused: nothing was sent, so the number goes back exactly as it was.
      await store.releaseSend(phone.e164, plan.sendId, reservation.previous, storeTime.signal);
      // The budget's DynamoDB failed between two providers: its own answer (503), not the provider's.
      if (error instanceof VerificationError) throw error;
      throw new VerificationError('sms_delivery_failed', {}, { cause: error });
    }
    const channel = receipt.channel ?? message.channel;
    const response = sendAccepted({
      status: 'pending',
      phoneNumber: phone.e164,
      channel,
      expiresAt: iso(plan.codeExpiresAt),
      resendAvailableAt: iso(Math.max(now + policy.resendCooldownMs, capUsed ? reservation.windowStart + DAILY_WINDOW_MS : 0)),
    });
    // The SMS is out: a failure of the settling write must not turn it into an error (a 503 would
    // tell the client no SMS was sent). A retry with the key then meets 409, then the cooldown.
    const settlement = {
      state: 'accepted',
      provider: receipt.provider ?? sender.provider,
      channel,
      response: idempotencyKey === undefined ? undefined : response,
    } as const;
    const remembered = (await settled(store.settleSend(phone.e164, plan.sendId, settlement, storeTime.signal))) || idempotencyKey === undefined;
    return {
      response,
      replayed: false,
      providerRequestId: receipt.providerRequestId,
      provider: settlement.provider,
      ...(!remembered && { replayNotStored: true }),
    };
  }

  /**
   * The bot challenge, where this send needs one (docs/challenge.md, "What a send does, in order"): a keyed retry is
   * answered first from one consistent read (its stored 202, or 409 while the first is in flight),
   * so a retry never needs a fresh token; then no token is `challenge_required`, and the service
   * judges the token: the person's refusal is `challenge_failed`, any failure of ours or the
   * service's a 503 (fail closed: a bot must not get through while the service is down).
   * @returns the replay of a keyed retry, or undefined to go on with the send
   */
  private async passChallenge(phone: PhoneNumber, plan: SendPlan, options: SendOptions, storeTime: StoreAllowance): Promise<SendOutcome | undefined> {
    const { challenge, guard, store } = this.deps;
    if (!challenge) return undefined;
    const verdict = guard ? await guard.verdict(phone, plan.now) : CLEAR;
    if (!challengeRequired(challenge.when, verdict)) return undefined;
    if (plan.idempotencyKey !== undefined) {
      const repeated = idempotentRefusal(await store.readItem(phone.e164, storeTime.signal), plan);
      if (repeated?.kind === 'replay') return { response: repeated.response, replayed: true };
      if (repeated) throw refusalError(repeated, plan.now);
    }
    if (options.challengeToken === undefined) throw new VerificationError('challenge_required');
    // Within its own limit (CHALLENGE_TIMEOUT_MS), not the store's allowance.
    const token = options.challengeToken;
    const judged = await storeTime.paused(() => challenge.verifier.verify(token, options.remoteIp));
    switch (judged.kind) {
      case 'passed':
        return undefined;
      case 'refused':
        // The codes go to the log, never the token.
        throw new VerificationError('challenge_failed', {}, { cause: new Error(`the challenge service refused the token: ${judged.errorCodes.join(', ')}`) });
      case 'unavailable':
        throw new VerificationError(
          'service_unavailable',
          { retryAfterSeconds: CHALLENGE_RETRY_AFTER_SECONDS, challengeUnavailable: true },
          { cause: new Error(`the challenge could not be verified: ${judged.reason}`) },
        );
    }
  }

  /**
   * A test number (app-store review): its fixed code is stored like any code (attempts, expiry,
   * single use hold) but nothing is sent and no limit is charged. An `Idempotency-Key` retry gets
   * the original 202 back, as for any number.
   */
  private async sendTestNumber(
    phone: PhoneNumber,
    code: string,
    now: number,
    channel: Channel,
    idempotencyKey: string | undefined,
    signal: AbortSignal,
  ): Promise<SendOutcome> {
    const { store, hasher, policy } = this.deps;
    const codeExpiresAt = now + policy.codeTtlMs;
    const response = sendAccepted({ status: 'pending', phoneNumber: phone.e164, channel, expiresAt: iso(codeExpiresAt), resendAvailableAt: iso(now) });
    const repeated = await store.storeTestCode(
      {
        phoneNumber: phone.e164,
        sendId: randomUUID(),
        codeHash: hasher.hash(phone.e164, code),
        now,
        codeExpiresAt,
        maxAttempts: policy.maxCheckAttempts,
        inFlightMs: this.leaseMs(),
        idempotencyKey,
        channel,
        response,
      },
      signal,
    );
    if (repeated?.kind === 'replay') return { response: repeated.response, replayed: true, testNumber: true };
    if (repeated) throw refusalError(repeated, now);
    return { response, replayed: false, testNumber: true };
  }

  /**
   * Takes the range and budget counters of this hour, concurrently. When one refuses, the other
   * is handed back, so a refused send counts nowhere; a send they let through counts even if the
   * provider then refuses (they bound what the provider is asked to do).
   * @returns the refusal (range before budget: docs/limits.md), or undefined when both allow it
   */
  private async takeHourlyCounters(phone: PhoneNumber, now: number, signal: AbortSignal): Promise<VerificationError | undefined> {
    const { counters, policy } = this.deps;
    const wanted = hourlyCounters(phone, now, policy);
    const resetAt = hourEnd(now);
    const taken = await Promise.allSettled(wanted.map((c) => counters.take(c.bucket, c.max, resetAt, signal)));
    const refused = wanted.find((_, i) => taken[i]?.status !== 'fulfilled' || !taken[i].value);
    if (!refused) return undefined;
    await Promise.allSettled(wanted.filter((_, i) => taken[i]?.status === 'fulfilled' && taken[i].value).map((c) => counters.giveBack(c.bucket, signal)));
    const failure = taken.find((t) => t.status === 'rejected');
    if (failure) throw failure.reason; // DynamoDB did not answer: 503, nothing sent
    const retryAfterSeconds = secondsUntil(resetAt, now);
    return refused.refusal === 'number_range_limited'
      ? new VerificationError('number_range_limited', { retryAfterSeconds })
      : new VerificationError('sms_budget_exhausted', { retryAfterSeconds });
  }

  /**
   * One more message paid from this hour's budget (a failover to the next provider), within the
   * `leftMs` of `SMS_TIMEOUT_MS` that remain.
   * @returns false when the budget is spent (the send then stops: 502, nothing more asked)
   * @throws SmsDeliveryError when the time ran out first: the write may have counted, so it counts
   *   as charged, and the send stops (502)
   */
  private async takeBudget(now: number, leftMs: number): Promise<boolean> {
    const { counters, policy } = this.deps;
    if (policy.smsBudgetPerHour <= 0) return true;
    const cutOff = AbortSignal.timeout(Math.max(0, Math.floor(leftMs)));
    try {
      return await counters.take(budgetBucket(now), policy.smsBudgetPerHour, hourEnd(now), cutOff);
    } catch (error) {
      if (cutOff.aborted) throw new SmsDeliveryError('the hourly budget could not be counted within SMS_TIMEOUT_MS: counted as charged, nobody else asked');
      throw error;
    }
  }

  /** How long a keyed send without a stored answer counts as in progress: longer than the worst send. */
  private leaseMs(): number {
    return idempotencyLeaseMs({
      smsTimeoutMs: this.deps.policy.smsTimeoutMs,
      storeAllowanceMs: this.deps.storeAllowanceMs,
      challengeTimeoutMs: this.deps.challenge?.timeoutMs,
    });
  }

  /**
   * Checks `code` against the pending code of `phone`; every evaluated check uses up an attempt,
   * and every wrong one counts in the number's failed-guess streak (docs/limits.md).
   * @throws VerificationError `incorrect_code`, `verification_not_found`, `verification_locked` or `too_many_attempts`
   */
  async check(phone: PhoneNumber, code: string): Promise<ApprovedCheck> {
    const { store, hasher, tokens, clock, policy } = this.deps;
    const now = clock.now();
    // The token's id, made before the write: the write records it as the last check, so the
    // approval's reset of the streak applies only while no later check came (and the lifecycle
    // event of the approval can name it).
    const jti = randomUUID();
    // One write spends the attempt and records the guess (docs/data-model.md, "Check: one
    // write"): at most maxAttempts guesses are ever compared, and the right one closes the door.
    const attempt = await store.recordGuess(phone.e164, hasher.hash(phone.e164, code), now, jti);
    if (!attempt.spent) {
      // Expired, missing or already approved wins over a lock, and a lock over used-up (docs/limits.md).
      if (!hasPendingCode(attempt.current, now)) throw notFound();
      const locked = lockInForce(attempt.current, now);
      if (locked) throw lockedError(locked.retryAt, now);
      throw new VerificationError('too_many_attempts');
    }
    const { record } = attempt;
    if (!record.codeHash || !hasher.matches(record.codeHash, phone.e164, code)) {
      const { streak, lockedNow } = await this.countWrongGuess(phone, now, jti);
      const codeLeft = (record.maxAttempts ?? 0) - (record.attempts ?? 0);
      const attemptsRemaining = Math.max(0, Math.min(codeLeft, policy.maxFailedGuesses - streak));
      throw new VerificationError('incorrect_code', { attemptsRemaining, ...(lockedNow && { lockedNow }) });
    }
    // An approval ends the streak: a write only when there is one to end (most approvals come
    // without a wrong guess). If it is lost, or a racing wrong guess counts after it, the next send
    // clears it (send-rules.ts).
    if ((record.streak ?? 0) > 0 || (record.lockCount ?? 0) > 0) await settled(store.resetStreak(phone.e164, jti));
    const testNumber = policy.testNumbers.has(phone.e164);
    // Items written before the channel was stored were all SMS.
    const issued = await tokens.issue(phone.e164, now, { channel: record.channel ?? 'sms', testNumber, tokenId: jti });
    return { status: 'approved', phoneNumber: phone.e164, token: issued.token, tokenExpiresAt: iso(issued.expiresAt), ...(testNumber && { testNumber }) };
  }

  /**
   * Counts a wrong guess in the streak; when it reaches the limit (or, past it, the last lock has
   * ended), locks the number: an hour, doubling with each further lock, at most the longest lock.
   * At NIST's ceiling of 100 the lock is for good (until an operator lifts it), whether or not a
   * timed lock is in force: a guess that passed before a racing guess locked still counts. Of
   * racing guesses exactly one locks.
   */
  private async countWrongGuess(phone: PhoneNumber, now: number, jti: string): Promise<{ streak: number; lockedNow: boolean }> {
    const { store, policy } = this.deps;
    const state = await store.countWrongGuess(phone.e164, now, jti);
    const { streak } = state;
    if (state.permanentLock) return { streak, lockedNow: false };
    if (streak >= PERMANENT_LOCK_STREAK) return { streak, lockedNow: await store.lock(phone.e164, now, policy.maxFailedGuesses, state.lockCount, undefined) };
    if (streak < policy.maxFailedGuesses || (state.lockedUntil ?? 0) > now) return { streak, lockedNow: false };
    const until = now + lockDuration(state.lockCount, policy.lockMaxMs);
    return { streak, lockedNow: await store.lock(phone.e164, now, policy.maxFailedGuesses, state.lockCount, until) };
  }
}

/** Whether `write` succeeded; for bookkeeping writes whose failure must not change the answer. */
async function settled(write: Promise<void>): Promise<boolean> {
  return write.then(
    () => true,
    () => false,
  );
}

function notFound(): VerificationError {
  return new VerificationError('verification_not_found');
}

/** 429 `verification_locked`, with `Retry-After` to the end of the lock (none: an operator must lift it). */
function lockedError(until: number | undefined, now: number): VerificationError {
  return new VerificationError('verification_locked', until === undefined ? {} : { retryAfterSeconds: secondsUntil(until, now) });
}

function refusalError(refusal: Exclude<SendRefusal, { kind: 'replay' }>, now: number): VerificationError {
  switch (refusal.kind) {
    case 'locked':
      return lockedError(refusal.retryAt, now);
    case 'daily_cap':
      return new VerificationError('send_limit_reached', {
        retryAfterSeconds: secondsUntil(refusal.retryAt, now),
      });
    case 'cooldown':
      return new VerificationError('resend_too_soon', {
        retryAfterSeconds: secondsUntil(refusal.retryAt, now),
      });
    case 'in_progress':
      return new VerificationError('request_in_progress', {
        retryAfterSeconds: 1,
      });
  }
}
