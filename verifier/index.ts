import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';

/**
 * Where the public keys come from (docs/tokens.md): the environment's JWKS URL (fetched, cached,
 * refetched once on an unknown `kid`, rate-limited, with a timeout: jose's remote key set), or
 * keys given directly (a JWKS document or its `keys`).
 */
export type KeySource =
  { readonly jwksUrl: string | URL; readonly keys?: never } | { readonly keys: { readonly keys: readonly JWK[] } | readonly JWK[]; readonly jwksUrl?: never };

export type VerifyPhoneTokenOptions = KeySource & {
  /** Expected `iss`, e.g. `phone-verify/prod`. Required: without it any environment's token would pass. */
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
  /** Unique per token (`jti`): store it to refuse a replay within the token's lifetime. */
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The key that signed it (`kid`: its RFC 7638 thumbprint). */
  readonly keyId: string;
  /** Where the approved code was sent: `sms` or `alimtalk`. */
  readonly channel: string;
  /** An app-review test number (claim `test_number`): a fixed code, no SMS. Refuse it where a real person must be behind the number. */
  readonly testNumber: boolean;
}

export type PhoneTokenErrorCode =
  | 'malformed'
  | 'wrong_algorithm'
  | 'forbidden_header'
  | 'missing_key_id'
  | 'unknown_key'
  | 'jwks_unavailable'
  | 'bad_signature'
  | 'expired'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'not_verified';

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

/** Header members that would let a token name its own key (RFC 8725 §3.10): a forger's way in, never honoured. */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

/** An ES256 signature, 64 bytes, is 86 characters of base64url. */
const ES256_SIGNATURE_CHARS = 86;

/** How long a fetched key set is trusted, and how often an unknown `kid` may refetch it: the JWKS's own cache period. */
const JWKS_CACHE_MS = 300_000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;

type KeySet = ReturnType<typeof createRemoteJWKSet>;
const remoteSets = new Map<string, KeySet>();

/** One remote key set per URL for the whole process, so its cache and cooldown hold across calls. */
function keySet(source: KeySource): KeySet | ReturnType<typeof createLocalJWKSet> {
  if (source.jwksUrl !== undefined) {
    const url = new URL(source.jwksUrl);
    let set = remoteSets.get(url.href);
    if (!set) {
      set = createRemoteJWKSet(url, { cacheMaxAge: JWKS_CACHE_MS, cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: JWKS_TIMEOUT_MS });
      remoteSets.set(url.href, set);
    }
    return set;
  }
  const keys: readonly JWK[] = Array.isArray(source.keys) ? source.keys : (source.keys as { readonly keys: readonly JWK[] }).keys;
  return createLocalJWKSet({ keys: [...keys] });
}

/**
 * Verifies a phone-verify token offline and returns the verified number: ES256 only, a `kid`
 * naming a published key, no header that names its own key, a 64-byte signature, `iss`, `aud`,
 * `exp` and `iat` with a small leeway, and the phone claims (docs/tokens.md).
 * @throws PhoneTokenError with a `code` for each way a token can be wrong (or its keys unreachable)
 */
export async function verifyPhoneToken(token: string, options: VerifyPhoneTokenOptions): Promise<VerifiedPhone> {
  // Plain JavaScript callers have no compiler to insist: without an issuer any environment's token would pass.
  if (typeof options?.issuer !== 'string' || options.issuer === '') {
    throw new TypeError('verifyPhoneToken: options.issuer is required (e.g. "phone-verify/prod"), so a token of another environment is refused');
  }
  if ((options.jwksUrl === undefined) === (options.keys === undefined)) {
    throw new TypeError("verifyPhoneToken: give exactly one of options.jwksUrl (the environment's /.well-known/jwks.json) and options.keys");
  }
  const kid = checkHeader(token);
  const tolerance = options.clockToleranceSeconds ?? 5;
  let payload: JWTPayload;
  try {
    const keys = keySet(options);
    // A key set that cannot be fetched or read (a timeout, the network, an HTTP error, not a JWKS)
    // is told apart from a token that names no published key.
    const key = async (header: JWSHeaderParameters, input: FlattenedJWSInput) => {
      try {
        return await keys(header, input);
      } catch (error) {
        throw error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys ? error : new KeySetUnavailable(error);
      }
    };
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'], // never "none", never HS256 with a public key taken for a secret
      issuer: options.issuer,
      audience: options.audience ?? 'phone-verify',
      clockTolerance: tolerance,
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
      ...(options.currentDate && { currentDate: options.currentDate }),
    }));
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
    keyId: kid,
    channel: typeof payload.channel === 'string' ? payload.channel : 'sms',
    testNumber: payload.test_number === true,
  };
}

/** The protected header's checks, before any key is looked at: returns the `kid`. */
function checkHeader(token: string): string {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new PhoneTokenError('malformed', 'The token is not a well-formed JWT');
  }
  if (header.alg !== 'ES256') throw new PhoneTokenError('wrong_algorithm', `The token is signed with ${String(header.alg)}, not ES256`);
  const named = FORBIDDEN_HEADERS.filter((name) => name in header);
  if (named.length > 0) throw new PhoneTokenError('forbidden_header', `The token names its own key (${named.join(', ')}); keys come only from the key set`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new PhoneTokenError('missing_key_id', 'The token has no kid');
  const signature = token.split('.')[2] ?? '';
  if (signature.length !== ES256_SIGNATURE_CHARS) throw new PhoneTokenError('bad_signature', 'An ES256 signature is 64 bytes');
  return header.kid;
}

function toPhoneTokenError(error: unknown): PhoneTokenError {
  if (error instanceof errors.JWTExpired) return new PhoneTokenError('expired', 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new PhoneTokenError('wrong_issuer', 'The token was issued by another environment');
    if (error.claim === 'aud') return new PhoneTokenError('wrong_audience', 'The token is meant for another audience');
    return new PhoneTokenError('malformed', `The token's ${error.claim} claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new PhoneTokenError('wrong_algorithm', 'The token is not signed with ES256');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new PhoneTokenError('bad_signature', 'The token signature does not match');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new PhoneTokenError('unknown_key', "No published ES256 key has the token's kid");
  }
  if (error instanceof KeySetUnavailable) return new PhoneTokenError('jwks_unavailable', `The key set could not be read: ${error.message}`);
  return new PhoneTokenError('malformed', 'The token is not a well-formed JWT');
}

/** The key set failed for a reason of its own, not the token's. */
class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
