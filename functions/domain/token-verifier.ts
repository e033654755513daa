import { errors, jwtVerify, type JWTPayload } from 'jose';
import { MIN_SECRET_BYTES, secretTooShort } from './secret';

/** Where the HMAC secret comes from: one secret, or a lookup by the token's `kid` (for rotation). */
export type SecretOrResolver =
  | { readonly secret: string | Uint8Array; readonly secretResolver?: never }
  | { readonly secretResolver: (kid: string | undefined) => string | Uint8Array | Promise<string | Uint8Array>; readonly secret?: never };

export type VerifyPhoneTokenOptions = SecretOrResolver & {
  /** Expected `iss`, e.g. `phone-verify/prod`. */
  readonly issuer: string;
  /** Expected `aud`; default `phone-verify`. */
  readonly audience?: string;
  /** Leeway for clock skew between the issuing and the verifying machine; default 5 s. */
  readonly clockToleranceSeconds?: number;
  /** "Now" for the expiry check; default the current time. */
  readonly currentDate?: Date;
};

/** What a valid token proves. */
export interface VerifiedPhone {
  /** E.164, e.g. `+821012345678`. */
  readonly phoneNumber: string;
  /** Unique per token: store it to refuse a replay within the token's lifetime. */
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The secret version that signed it. */
  readonly keyId: string | undefined;
  /** An app-review test number (claim `test_number`): a fixed code, no SMS. Refuse it where a real person must be behind the number. */
  readonly testNumber: boolean;
}

export type PhoneTokenErrorCode =
  | 'malformed'
  | 'bad_signature'
  | 'wrong_algorithm'
  | 'expired'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'unknown_key'
  | 'secret_too_short'
  | 'not_verified';

export { MIN_SECRET_BYTES };

/** Why a token was refused; `code` is stable, switch on it. */
export class PhoneTokenError extends Error {
  override name = 'PhoneTokenError';
  constructor(
    readonly code: PhoneTokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * Verifies a phone-verify token offline and returns the verified number: signature (HS256
 * only), `kid`, `iss`, `aud`, `exp`, and the phone claims.
 * @throws PhoneTokenError with a `code` for each way a token can be wrong
 */
export async function verifyPhoneToken(token: string, options: VerifyPhoneTokenOptions): Promise<VerifiedPhone> {
  // Plain JavaScript callers have no compiler to insist: without an issuer any environment's token would pass.
  if (typeof options?.issuer !== 'string' || options.issuer === '') {
    throw new TypeError('verifyPhoneToken: options.issuer is required (e.g. "phone-verify/prod"), so a token of another environment is refused');
  }
  const toKey = (secret: string | Uint8Array) => {
    const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    const tooShort = secretTooShort('The secret', key);
    if (tooShort) throw new PhoneTokenError('secret_too_short', `${tooShort} (HS256, RFC 7518 §3.2)`);
    return key;
  };
  const tolerance = options.clockToleranceSeconds ?? 5;
  let payload: JWTPayload;
  let keyId: string | undefined;
  try {
    const verified = await jwtVerify(
      token,
      async (header) => {
        keyId = header.kid;
        if (options.secret !== undefined) return toKey(options.secret);
        return toKey(await options.secretResolver(header.kid));
      },
      {
        algorithms: ['HS256'], // never "none", never an asymmetric algorithm with our secret as a "public key"
        issuer: options.issuer,
        audience: options.audience ?? 'phone-verify',
        clockTolerance: tolerance,
        requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
        ...(options.currentDate && { currentDate: options.currentDate }),
      },
    );
    payload = verified.payload;
  } catch (error) {
    throw toPhoneTokenError(error);
  }
  const now = (options.currentDate ?? new Date()).getTime() / 1000;
  if (typeof payload.iat === 'number' && payload.iat > now + tolerance) {
    throw new PhoneTokenError('issued_in_future', 'The token says it was issued in the future (check the clocks)');
  }
  const phoneNumber = payload.phone_number;
  if (payload.phone_number_verified !== true || typeof phoneNumber !== 'string' || !E164.test(phoneNumber) || payload.sub !== phoneNumber) {
    throw new PhoneTokenError('not_verified', 'The token does not state a verified E.164 phone number');
  }
  return {
    phoneNumber,
    tokenId: String(payload.jti),
    issuedAt: new Date((payload.iat ?? 0) * 1000),
    expiresAt: new Date((payload.exp ?? 0) * 1000),
    keyId,
    testNumber: payload.test_number === true,
  };
}

function toPhoneTokenError(error: unknown): PhoneTokenError {
  if (error instanceof PhoneTokenError) return error;
  if (error instanceof errors.JWTExpired) return new PhoneTokenError('expired', 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new PhoneTokenError('wrong_issuer', 'The token was issued by another environment');
    if (error.claim === 'aud') return new PhoneTokenError('wrong_audience', 'The token is meant for another audience');
    return new PhoneTokenError('malformed', `The token's ${error.claim} claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new PhoneTokenError('wrong_algorithm', 'The token is not signed with HS256');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new PhoneTokenError('bad_signature', 'The token signature does not match');
  if (error instanceof errors.JOSEError) return new PhoneTokenError('malformed', 'The token is not a well-formed JWT');
  // The resolver threw: it does not know the token's kid.
  return new PhoneTokenError('unknown_key', `No secret for this token's key id: ${(error as Error).message}`);
}
