import * as z from 'zod/mini';
import { VerificationError } from '../domain/errors';

/** The longest `challengeToken` (openapi.yaml: 1-16,384 characters; Turnstile's are at most 2,048, hCaptcha's a few KB). */
export const MAX_CHALLENGE_TOKEN_LENGTH = 16_384;

/** `POST /v1/verifications`. Unknown members are ignored (stripped). */
export const sendCodeBody = z.object({
  phoneNumber: z.string(),
  channel: z.optional(z.enum(['sms', 'alimtalk'], 'channel must be "sms" or "alimtalk"')),
  // Read only where a bot challenge is configured (docs/challenge.md); its form is checked anyway.
  challengeToken: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_CHALLENGE_TOKEN_LENGTH))),
});

const checkCodeSchema = (codeLength: number) =>
  z.object({
    phoneNumber: z.string(),
    code: z.string().check(z.regex(new RegExp(`^[0-9]{${codeLength}}$`), `code must be a string of ${codeLength} digits`)),
  });
const checkCodeSchemas = new Map<number, ReturnType<typeof checkCodeSchema>>();

/**
 * `POST /v1/verifications/check`: `code` is exactly `codeLength` ASCII digits (leading zeros
 * matter). Built once per length, not per request: the length is fixed for a process.
 */
export function checkCodeBody(codeLength: number): ReturnType<typeof checkCodeSchema> {
  let schema = checkCodeSchemas.get(codeLength);
  if (!schema) checkCodeSchemas.set(codeLength, (schema = checkCodeSchema(codeLength)));
  return schema;
}

/** The code length a check schema was built for (for the `code_format` text). */
function codeDigits(schema: unknown): number | undefined {
  for (const [length, s] of checkCodeSchemas) if (s === schema) return length;
  return undefined;
}

/** `Idempotency-Key`: 1–64 of `[A-Za-z0-9_-]`. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `value` as `schema` describes it, or `invalid_request` naming the first bad field. The detail
 * names the field and the rule, never the value (it could be a code).
 */
export function parseFields<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  if (field === 'code' && issue?.code !== 'invalid_type')
    throw new VerificationError('invalid_request', {
      reason: 'code_format',
      ...(codeDigits(schema) !== undefined && { digits: codeDigits(schema) as number }),
    });
  if (field === 'channel') throw new VerificationError('invalid_request', { reason: 'channel' });
  if (field === 'challengeToken') throw new VerificationError('invalid_request', { reason: 'challenge_token' });
  throw new VerificationError('invalid_request', {
    reason: 'field_missing',
    field,
    expected: issue?.code === 'invalid_type' ? String(issue.expected) : 'string',
  });
}
