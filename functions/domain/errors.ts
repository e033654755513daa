/**
 * The problems the service's rules and its dependencies raise (openapi.yaml, docs/api.md). Clients switch
 * on these strings, so they never change. The transport's own problems (404, 405, 413, 415, the
 * gateway's 429, 500) and every code's HTTP status live in functions/http/problem.ts.
 */
export const DOMAIN_PROBLEM_CODES = [
  'invalid_request',
  'invalid_phone_number',
  'unsupported_country',
  'unsupported_channel',
  'resend_too_soon',
  'send_limit_reached',
  'sms_delivery_failed',
  'sms_provider_timeout',
  'request_in_progress',
  'number_range_limited',
  'sms_budget_exhausted',
  'incorrect_code',
  'verification_not_found',
  'too_many_attempts',
  'verification_locked',
  'challenge_required',
  'challenge_failed',
  'service_unavailable',
] as const;

export type DomainProblemCode = (typeof DOMAIN_PROBLEM_CODES)[number];

/** Why a request was invalid, when `invalid_request` alone would not tell the client what to fix. */
export const INVALID_REASONS = [
  'not_utf8',
  'not_json',
  'not_object',
  'duplicate_member',
  'not_i_json',
  'idempotency_key',
  'field_missing',
  'code_format',
  'channel',
  'challenge_token',
  'unparseable_http',
  'headers_too_large',
] as const;

export type InvalidReason = (typeof INVALID_REASONS)[number];

/** Extra facts a problem carries to the client (each becomes a header or a body member). */
export interface ProblemFacts {
  /** Seconds until a retry can succeed (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** Checks still allowed on the current code (`incorrect_code` only). */
  readonly attemptsRemaining?: number;
  /** Which rule an `invalid_request` broke (the client's text says what to fix). */
  readonly reason?: InvalidReason;
  /** The field a reason names, and the type it should have. */
  readonly field?: string;
  readonly expected?: string;
  /** Digits a code must have (`code_format`). */
  readonly digits?: number;
  /** This wrong guess locked the number (for the metric; not shown to the client). */
  readonly lockedNow?: boolean;
  /** The bot-challenge service failed us (for its own metric and alarm; not shown to the client). */
  readonly challengeUnavailable?: boolean;
  /** The body limit a 413 refers to, in bytes. */
  readonly maxBytes?: number;
}

/**
 * The one error type of the service: a refusal with a stable spec `code` and the facts a client
 * needs. Its words, in every language, live in functions/http/messages.ts; nothing here is shown
 * to anyone, so nothing here could leak a one-time code, a secret or a full phone number.
 */
export class VerificationError extends Error {
  constructor(
    readonly code: DomainProblemCode,
    readonly facts: ProblemFacts = {},
    options?: { cause?: unknown },
  ) {
    // `cause` (a provider's answer, say) is for the log only.
    super(facts.reason ? `${code} (${facts.reason})` : code, options);
    this.name = 'VerificationError';
  }
}

/** Whole seconds until `until`, rounded up, at least 1 (docs/api.md: `Retry-After`). */
export function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/**
 * A setting that cannot work (docs/configuration.md). The rules that judge settings live beside
 * the rules they feed (message.ts, test-numbers.ts); functions/config.ts reads the variables and
 * names them in the message, so an operator knows what to fix.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
