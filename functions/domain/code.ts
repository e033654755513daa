import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { secretTooShort } from './secret';

/** Shortest and longest one-time code the spec allows. */
export const CODE_LENGTH_RANGE = { min: 4, max: 10 } as const;

/**
 * A one-time code of `length` ASCII digits, uniform over all 10^length strings (leading zeros
 * included). Digit by digit from the CSPRNG: `randomInt` rejects biased draws, and a number
 * formatted with `padStart` would need 10^10, beyond `randomInt`'s 2^48 range limit anyway.
 */
export function generateCode(length: number): string {
  if (!Number.isInteger(length) || length < CODE_LENGTH_RANGE.min || length > CODE_LENGTH_RANGE.max) {
    throw new RangeError(`code length must be an integer from ${CODE_LENGTH_RANGE.min} to ${CODE_LENGTH_RANGE.max}`);
  }
  let code = '';
  for (let i = 0; i < length; i += 1) code += String(randomInt(10));
  return code;
}

/**
 * Keyed hash of a code, bound to the number it was sent to, so the table never holds a code in
 * clear and a hash stolen from one number is useless for another.
 */
export class CodeHasher {
  constructor(private readonly secret: string) {
    const tooShort = secretTooShort('the code hash secret', secret);
    if (tooShort) throw new RangeError(tooShort);
  }

  /** Base64url HMAC-SHA256 over `phoneNumber` and `code`, NUL-separated so no two pairs collide. */
  hash(phoneNumber: string, code: string): string {
    return createHmac('sha256', this.secret).update(`${phoneNumber}\0${code}`).digest('base64url');
  }

  /** Whether `code` is the one whose hash is `expectedHash`, compared in constant time. */
  matches(expectedHash: string, phoneNumber: string, code: string): boolean {
    return hashesEqual(expectedHash, this.hash(phoneNumber, code));
  }
}

/**
 * Constant-time equality of two hashes: a plain `===` stops at the first differing character,
 * and how long it took would tell an attacker how much of the hash matched.
 */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
