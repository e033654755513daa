import type { PhoneNumber } from './phone';

/** Milliseconds since the epoch; injected so tests step time instead of sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** How a code reaches the person (docs/channels.md). */
export type Channel = 'sms' | 'alimtalk';

/** The 202 body of a send, kept for `Idempotency-Key` replays. */
export interface SendAccepted {
  readonly status: 'pending';
  readonly phoneNumber: string;
  /** Where the person should look for the code. */
  readonly channel: Channel;
  readonly expiresAt: string;
  readonly resendAvailableAt: string;
}

/** One item per phone number (see docs/data-model.md); every time is epoch ms but `ttl`. */
export interface VerificationRecord {
  readonly phoneNumber: string;
  /** Keyed hash of the pending code; absent when nothing is pending. */
  readonly codeHash?: string;
  readonly codeExpiresAt?: number;
  readonly attempts?: number;
  readonly maxAttempts?: number;
  /** Keyed hash of the last evaluated guess; equal to `codeHash` once the code is approved. */
  readonly lastGuessHash?: string;
  /** Random id of the send that created the pending code. */
  readonly sendId?: string;
  /** The channel that send used (the token's `channel` claim). */
  readonly channel?: Channel;
  /** Last charged send (cooldown). */
  readonly lastSentAt?: number;
  /** Start of the fixed 24 h window and the sends charged in it (daily cap). */
  readonly windowStart?: number;
  readonly sendCount?: number;
  readonly idempotencyKey?: string;
  readonly idempotentResponse?: SendAccepted;
  /** Wrong guesses since the last approval, across codes (docs/limits.md, "The failed-guess streak"). */
  readonly streak?: number;
  /** Epoch ms: the number is locked until then. */
  readonly lockedUntil?: number;
  /** Locks in this streak (each lasts twice the one before). */
  readonly lockCount?: number;
  /** Locked until an operator lifts it: the streak reached NIST's ceiling of 100. */
  readonly permanentLock?: boolean;
  /** The `jti` of the last evaluated check: an approval's reset of the streak applies only while it is the last. */
  readonly lastJti?: string;
  /** The `jti` of the last check whose wrong guess the streak counted: a count whose answer was lost is read back by it. */
  readonly lastWrongJti?: string;
  /** How the pending code's send settled: set by the write after the provider answered (absent while it is out, or after a 502's rollback). */
  readonly sendState?: SendState;
  /** The pending code is a test number's fixed code (settled at once, no provider). */
  readonly testNumber?: boolean;
  /** The provider that took the pending code's message; absent for a test number's code. */
  readonly provider?: string;
  /** Raised by every write (docs/data-model.md): the item's own order, which lifecycle events carry as `sequence`. */
  readonly seq?: number;
  /** Epoch seconds: the latest of code expiry, window end, 90 days after the last wrong guess, the lock's end. DynamoDB TTL only cleans up. */
  readonly ttl?: number;
}

/** How a send that reached the provider ended: accepted, or timed out (the message may still arrive). */
export type SendState = 'accepted' | 'timed_out';

/** What the settling write of a send records. */
export interface SendSettlement {
  readonly state: SendState;
  readonly provider: string;
  readonly channel: Channel;
  /** The 202 to replay, for an accepted send with an `Idempotency-Key`. */
  readonly response?: SendAccepted | undefined;
}

/** Everything one send asks of the store, decided before the write. */
export interface SendPlan {
  readonly phoneNumber: string;
  readonly sendId: string;
  readonly codeHash: string;
  readonly now: number;
  readonly codeExpiresAt: number;
  readonly maxAttempts: number;
  readonly cooldownMs: number;
  readonly maxSendsPerWindow: number;
  readonly windowMs: number;
  /** A send with this key and no stored response is "in progress" only this long (a crash must not block the key for the whole code lifetime). */
  readonly inFlightMs: number;
  readonly idempotencyKey?: string | undefined;
  /** Where the code goes; stored with it. */
  readonly channel: Channel;
}

/**
 * A test number's code to store, with the 202 it answers (kept for `Idempotency-Key` replays, as
 * for any send: docs/test-numbers.md).
 */
export interface TestCode extends Pick<
  SendPlan,
  'phoneNumber' | 'sendId' | 'codeHash' | 'now' | 'codeExpiresAt' | 'maxAttempts' | 'inFlightMs' | 'idempotencyKey' | 'channel'
> {
  readonly response: SendAccepted;
}

/** A lock in force: until when, or until an operator lifts it (`retryAt` undefined). */
export interface LockRefusal {
  readonly kind: 'locked';
  readonly retryAt: number | undefined;
}

/** Why the store refused a send. The store's condition expressions say the same in DynamoDB's words. */
export type SendRefusal =
  | { readonly kind: 'replay'; readonly response: SendAccepted }
  | { readonly kind: 'in_progress' }
  | LockRefusal
  | { readonly kind: 'daily_cap'; readonly retryAt: number }
  | { readonly kind: 'cooldown'; readonly retryAt: number };

/** What a send finds when its `Idempotency-Key` already made the number's pending code: its 202 to replay, or that it is still in flight. */
export type IdempotentRefusal = Extract<SendRefusal, { kind: 'replay' | 'in_progress' }>;

export type Reservation =
  | {
      readonly reserved: true;
      /**
       * The item as it was, to put back if the provider refuses (undefined: there was none;
       * `unknown`: a retried write found its own first attempt already applied, so the old item is lost).
       */
      readonly previous: VerificationRecord | undefined | 'unknown';
      readonly windowStart: number;
      readonly sendCount: number;
    }
  /** Which limit refused and until when, read from the item the failed write returned (`sendRefusal`). */
  | { readonly reserved: false; readonly refusal: SendRefusal };

export type SpentAttempt =
  { readonly spent: true; readonly record: VerificationRecord } | { readonly spent: false; readonly current: VerificationRecord | undefined };

/**
 * Persistence of verifications. Every method that enforces a limit is one atomic conditional
 * write; implementations never read and then write.
 */
export interface VerificationStore {
  /**
   * Charges the cooldown and daily cap and stores the new code, or says why not. The send path's
   * methods take `signal`: their calls are cut off when it aborts (the send's store allowance).
   */
  reserveSend(plan: SendPlan, signal?: AbortSignal): Promise<Reservation>;
  /**
   * Puts the number back exactly as `previous` (or deletes it), if `sendId` is still the latest
   * send. With `previous` unknown it withdraws the code only: the limits stay charged.
   */
  releaseSend(phoneNumber: string, sendId: string, previous: VerificationRecord | undefined | 'unknown', signal?: AbortSignal): Promise<void>;
  /**
   * Settles the send `sendId`, if it is still the latest: records how it ended, the provider and
   * the channel, and its 202 for replays (accepted with a key) or drops its key (timed out: a
   * retry counts as new). The write lifecycle events derive "Code Sent" from.
   */
  settleSend(phoneNumber: string, sendId: string, settlement: SendSettlement, signal?: AbortSignal): Promise<void>;
  /**
   * One check, in one atomic write whatever the answer: on a pending, unexpired code with checks
   * left and no lock in force, uses up a check and records `guessHash` as the last guess and `jti`
   * as the last check. The right guess thereby
   * consumes the code (a code whose last guess is its own hash is approved, no longer pending).
   * The write is never applied twice: one attempt, and when its answer is lost, one consistent
   * read says whether it was applied (`jti` and `guessHash` there); when it cannot, 503.
   */
  recordGuess(phoneNumber: string, guessHash: string, now: number, jti: string): Promise<SpentAttempt>;
  /**
   * Stores a test number's fixed code as its pending code, in one write, charging no limit, or
   * says that the same `Idempotency-Key` already made the pending code (replay or in progress).
   */
  storeTestCode(code: TestCode, signal?: AbortSignal): Promise<IdempotentRefusal | LockRefusal | undefined>;
  /**
   * Counts the wrong guess of check `jti` in the number's streak (an atomic add, whatever code is
   * pending now), and keeps the item 90 days after it, unless it is locked for good (no TTL then).
   * Returns the streak and the lock state after the add. Never counted twice: like `recordGuess`,
   * one attempt, and a lost answer is read back.
   */
  countWrongGuess(phoneNumber: string, now: number, jti: string): Promise<StreakState>;
  /**
   * Locks the number until `until`, if the streak is still at the limit, no lock is in force, and
   * no other guess locked it since `seenLockCount`: of any number of racing guesses, exactly one
   * locks. With `until` undefined, for good (until an operator lifts it), if the streak is at
   * NIST's 100 and it is not locked for good yet, a timed lock in force or not. False when another
   * guess did (or a reset came first).
   */
  lock(phoneNumber: string, now: number, maxFailedGuesses: number, seenLockCount: number, until: number | undefined): Promise<boolean>;
  /** Ends the streak after an approval, if the check `jti` is still the number's last (idempotent). */
  resetStreak(phoneNumber: string, jti: string): Promise<void>;
  /**
   * The number's item as it is now (a consistent read; no write): for what a send decides before
   * it touches the item, such as a keyed retry's replay before a bot challenge spends a token.
   */
  readItem(phoneNumber: string, signal?: AbortSignal): Promise<VerificationRecord | undefined>;
}

/** A number's failed-guess streak after a wrong guess was counted. */
export interface StreakState {
  readonly streak: number;
  readonly lockCount: number;
  readonly lockedUntil?: number | undefined;
  readonly permanentLock: boolean;
}

/**
 * Hourly counters shared by the whole environment (range limit, SMS budget). Each take is one
 * atomic conditional write, exact under any concurrency.
 */
export interface AbuseCounters {
  /**
   * Adds one to `bucket` unless it already holds `max`; false when full. The item expires after
   * `expiresAt` (epoch ms). Cut off when `signal` aborts (whether it counted is then unknown).
   */
  take(bucket: string, max: number, expiresAt: number, signal?: AbortSignal): Promise<boolean>;
  /** Hands back one taken by `take` (its send was refused by the other counter). */
  giveBack(bucket: string, signal?: AbortSignal): Promise<void>;
}

/** A code's message to hand to the provider; its channel decides how (see `composeMessage`). */
export type SmsMessage =
  | {
      readonly channel: 'sms';
      readonly to: PhoneNumber;
      /** The full SMS text, auto-fill lines included. */
      readonly text: string;
    }
  | {
      /** KakaoTalk first, with `alimtalkText`; the SMS `text` only for a person without KakaoTalk. */
      readonly channel: 'alimtalk';
      readonly to: PhoneNumber;
      /** The failover SMS: the full SMS text, auto-fill lines included. */
      readonly text: string;
      /** The approved template's code, and its text with the code filled in. */
      readonly templateCode: string;
      readonly alimtalkText: string;
    };

export interface SmsSender {
  /** The provider's name, recorded with the send (`sens`, `aws`, `lambda`, `console`); a sender that tries several names its first, and its receipts name the one that took it. */
  readonly provider: string;
  /**
   * Resolves once a provider accepted the message.
   * @throws SmsDeliveryError when the provider refused or failed (nothing was sent)
   * @throws SmsTimeoutError when it did not answer in time (the message may still arrive)
   */
  send(message: SmsMessage, context?: SendContext): Promise<SmsReceipt>;
}

/** What a send knows beyond its message (docs/channels.md, "Providers and failover"). */
export interface SendContext {
  /** Real milliseconds the whole send may take, every provider tried included (`SMS_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** The code, for a hook that composes its own message; and when it expires. */
  readonly code: string;
  readonly expiresAt: string;
  /** Milliseconds the code has left as the send is handed over: a message delivered later is useless (AWS's `TimeToLive`). */
  readonly codeTtlMs: number;
  /**
   * Asked before each provider after the first, with the milliseconds left of `timeoutMs`: false
   * when the hourly budget cannot pay for another.
   * @throws SmsDeliveryError when the budget's write was cut off by that time (it counts as charged)
   */
  readonly beforeFailover?: (leftMs: number) => Promise<boolean>;
}

/** What the provider said about an accepted message (for the log, and the settling write). */
export interface SmsReceipt {
  /** The provider's id of the request, e.g. SENS `requestId`, AWS `MessageId`. */
  readonly providerRequestId?: string | undefined;
  /** Which provider accepted it, where a sender tries several. */
  readonly provider?: string | undefined;
  /** The channel it went out on: an Alimtalk SENS refused may go on as an SMS. */
  readonly channel?: Channel | undefined;
}

/** The provider refused the message or failed; it will not be delivered. */
export class SmsDeliveryError extends Error {
  override name = 'SmsDeliveryError';
}

/** The provider did not answer in time; the message may still be delivered. */
export class SmsTimeoutError extends Error {
  override name = 'SmsTimeoutError';
  /** The provider that may have it, where a sender tries several. */
  provider?: string | undefined;
  channel?: Channel | undefined;
}

/** What the SMS-pumping guard says of a send's destination now (issue 29 owns the guard itself). */
export type GuardVerdict =
  | { readonly kind: 'clear' }
  | { readonly kind: 'blocked'; readonly until: number; readonly group: string }
  | { readonly kind: 'tripped'; readonly until: number; readonly group: string };

export interface DestinationGuard {
  verdict(phone: PhoneNumber, now: number): Promise<GuardVerdict>;
}

/** What a bot-challenge service said of one token (docs/challenge.md, "What each answer means"). */
export type ChallengeVerdict =
  | { readonly kind: 'passed' }
  /** The person's side: unknown, expired, used, another site, a hostname, action or score not allowed (403 `challenge_failed`). */
  | { readonly kind: 'refused'; readonly errorCodes: readonly string[] }
  /** Ours or the service's: unreachable, too slow, unreadable, a secret it rejects (503 `service_unavailable`). */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Verifies a bot-challenge token server-side, once (the services refuse a token seen twice). */
export interface ChallengeVerifier {
  /** Never throws: every outcome, a timeout included, is a verdict. `remoteIp`: the caller's address as API Gateway saw it. */
  verify(token: string, remoteIp: string | undefined): Promise<ChallengeVerdict>;
}
