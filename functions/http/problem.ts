import type { APIGatewayProxyResult } from 'aws-lambda';
import { VerificationError, type ProblemCode } from '../domain/errors';

/** The HTTP status and title of every problem `code`: the one place codes become HTTP. */
export const PROBLEM_HTTP: Readonly<Record<ProblemCode, { status: number; title: string }>> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_phone_number: { status: 400, title: 'Invalid phone number' },
  unsupported_country: { status: 400, title: 'Unsupported country' },
  unsupported_channel: { status: 400, title: 'Unsupported channel' },
  incorrect_code: { status: 400, title: 'Incorrect code' },
  not_found: { status: 404, title: 'Not found' },
  verification_not_found: { status: 404, title: 'Verification not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  request_in_progress: { status: 409, title: 'Request in progress' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  resend_too_soon: { status: 429, title: 'Resend too soon' },
  send_limit_reached: { status: 429, title: 'Send limit reached' },
  too_many_attempts: { status: 429, title: 'Too many attempts' },
  number_range_limited: { status: 429, title: 'Number range limited' },
  sms_budget_exhausted: { status: 429, title: 'SMS budget exhausted' },
  internal_error: { status: 500, title: 'Internal error' },
  sms_delivery_failed: { status: 502, title: 'SMS delivery failed' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  sms_provider_timeout: { status: 504, title: 'SMS provider timeout' },
};

/** `urn:phone-verify:problem:` and the code with `_` written as `-`. */
export function problemType(code: ProblemCode): string {
  return `urn:phone-verify:problem:${code.replaceAll('_', '-')}`;
}

/** The RFC 9457 problem document for `error`, with its headers (`Retry-After`, `Allow`). */
export function problemResponse(error: VerificationError): APIGatewayProxyResult {
  const { status, title } = PROBLEM_HTTP[error.code];
  const { retryAfterSeconds, attemptsRemaining, allow } = error.facts;
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  if (allow) headers.Allow = allow.join(', ');
  const body = { type: problemType(error.code), title, status, detail: error.detail, code: error.code, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
  return { statusCode: status, headers, body: JSON.stringify(body) };
}

/** A bug: the client learns nothing more than that; the log has the cause and the request id. */
export const INTERNAL_ERROR = new VerificationError('internal_error', 'An unexpected error occurred. Quote the X-Request-Id when reporting it.');
