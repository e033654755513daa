import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ProblemFacts, VerificationError } from '../domain/errors';
import { problemText, type Language } from './messages';
import type { ProblemCode, TransportProblemCode } from './problem-codes';

/** A request refused before it reaches the service (or a bug), by the HTTP layer itself. */
export class TransportError extends Error {
  constructor(
    readonly code: TransportProblemCode,
    readonly facts: ProblemFacts & { readonly allow?: readonly string[] } = {},
  ) {
    super(code);
    this.name = 'TransportError';
  }
}

/** What becomes a problem document: a refusal of the service or of the transport. */
export type Problem = VerificationError | TransportError;

/** The HTTP status of every problem `code`: the one place codes become HTTP (titles: messages.ts). */
export const PROBLEM_HTTP: Readonly<Record<ProblemCode, { status: number }>> = {
  invalid_request: { status: 400 },
  invalid_phone_number: { status: 400 },
  unsupported_country: { status: 400 },
  unsupported_channel: { status: 400 },
  incorrect_code: { status: 400 },
  not_found: { status: 404 },
  verification_not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  request_in_progress: { status: 409 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  resend_too_soon: { status: 429 },
  send_limit_reached: { status: 429 },
  too_many_attempts: { status: 429 },
  verification_locked: { status: 429 },
  number_range_limited: { status: 429 },
  sms_budget_exhausted: { status: 429 },
  too_many_requests: { status: 429 },
  forbidden: { status: 403 },
  challenge_required: { status: 403 },
  challenge_failed: { status: 403 },
  internal_error: { status: 500 },
  sms_delivery_failed: { status: 502 },
  service_unavailable: { status: 503 },
  sms_provider_timeout: { status: 504 },
};

/** `urn:phone-verify:problem:` and the code with `_` written as `-`. */
export function problemType(code: ProblemCode): string {
  return `urn:phone-verify:problem:${code.replaceAll('_', '-')}`;
}

/**
 * The RFC 9457 problem document for `error` in `language`, with its headers (`Retry-After`,
 * `Allow`, `Content-Language`). Only `title` and `detail` depend on the language.
 */
export function problemResponse(error: Problem, language: Language = 'en'): APIGatewayProxyResult {
  const { status } = PROBLEM_HTTP[error.code];
  const { title, detail } = problemText(language, error.code, error.facts);
  const { retryAfterSeconds, attemptsRemaining } = error.facts;
  const allow = error instanceof TransportError ? error.facts.allow : undefined;
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', 'Content-Language': language, Vary: 'Accept-Language' };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  if (allow) headers.Allow = allow.join(', ');
  const body = { type: problemType(error.code), title, status, detail, code: error.code, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
  return { statusCode: status, headers, body: JSON.stringify(body) };
}

/** A bug: the client learns nothing more than that; the log has the cause and the request id. */
export const INTERNAL_ERROR = new TransportError('internal_error');
