/**
 * The real time one send may take (docs/limits.md, "How long a send may take"): `SMS_TIMEOUT_MS`
 * for the providers, every one asked and the budget writes between them included, and one
 * allowance for every other store call of the send, before the providers and after them
 * together. Real time, never the business clock (tests move that by hand).
 */
export interface SendTimeLimits {
  /** `SMS_TIMEOUT_MS`. */
  readonly smsTimeoutMs: number;
  /** All the store's calls of one send but the failover's budget writes, together. */
  readonly storeAllowanceMs: number;
  /** `CHALLENGE_TIMEOUT_MS`, where a bot challenge is configured: its verification's own limit. */
  readonly challengeTimeoutMs?: number | undefined;
}

/**
 * The longest a send takes from its start to its answer, whatever the providers and the store do.
 * The idempotency lease and the send function's timeout (lib/phone-verification.ts) are made of it.
 */
export function worstSendMs(limits: SendTimeLimits): number {
  return limits.smsTimeoutMs + limits.storeAllowanceMs + (limits.challengeTimeoutMs ?? 0);
}

/**
 * After a worst send, a write cut off at its limit may still land a moment later, and the
 * containers' clocks differ by a little: the lease outlasts the send by this.
 */
const LEASE_MARGIN_MS = 1_000;

/**
 * How long a keyed send without a stored answer counts as in progress (409): longer than any send
 * can take, so a retry never starts a second one while the first may still be sending; no longer,
 * so a send that died mid-way does not hold its key.
 */
export function idempotencyLeaseMs(limits: SendTimeLimits): number {
  return worstSendMs(limits) + LEASE_MARGIN_MS;
}

/**
 * One send's store allowance, spent by the store calls before the providers and after them; the
 * providers' own time is not counted. The store takes `signal`, which aborts when it is spent.
 */
export class StoreAllowance {
  private readonly started = performance.now();
  private leftMs: number;
  private since = this.started;
  private current: AbortSignal;

  constructor(allowanceMs: number) {
    this.leftMs = allowanceMs;
    this.current = AbortSignal.timeout(allowanceMs);
  }

  /** What the store calls take: aborted once the allowance is spent. */
  get signal(): AbortSignal {
    return this.current;
  }

  /** Real milliseconds since the send started. */
  elapsedMs(): number {
    return performance.now() - this.started;
  }

  /** Runs the providers (`SMS_TIMEOUT_MS` is their own limit); the allowance does not run meanwhile. */
  async paused<T>(providers: () => Promise<T>): Promise<T> {
    this.leftMs -= performance.now() - this.since;
    try {
      return await providers();
    } finally {
      this.since = performance.now();
      this.current = AbortSignal.timeout(Math.max(0, Math.floor(this.leftMs)));
    }
  }
}
