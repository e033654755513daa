import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { secretTooShort } from './secret';

/** Who issues tokens, for whom, and for how long. */
export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** The HMAC secret and the name of its version (`kid`), so the secret can be rotated. */
export interface SigningKey {
  readonly kid: string;
  readonly secret: string;
}

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms; equals the `exp` claim. */
  readonly expiresAt: number;
}

/**
 * The check function's token signer from its settings and key; without a key (a function not
 * given the token secret) signing is a wiring bug.
 */
export function tokenIssuer(settings: TokenSettings, signingKey: SigningKey | undefined): Pick<TokenIssuer, 'issue'> {
  if (!signingKey) return { issue: async () => Promise.reject(new Error('TOKEN_SECRET_ARN is not set for this function')) };
  return new TokenIssuer(settings, signingKey);
}

/** Signs the verification token (docs/tokens.md: JWT, HS256, `kid` in the header). */
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(
    private readonly settings: TokenSettings,
    private readonly signingKey: SigningKey,
  ) {
    const tooShort = secretTooShort('the token secret', signingKey.secret);
    if (tooShort) throw new RangeError(tooShort);
    this.key = new TextEncoder().encode(signingKey.secret);
  }

  /** A token saying `phoneNumber` (E.164) was verified at `now` (epoch ms); a test number's says so too. */
  async issue(phoneNumber: string, now: number, facts: { readonly testNumber?: boolean } = {}): Promise<IssuedToken> {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.settings.ttlSeconds;
    const token = await new SignJWT({ phone_number: phoneNumber, phone_number_verified: true, ...(facts.testNumber && { test_number: true }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: this.signingKey.kid })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(phoneNumber)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, expiresAt: exp * 1000 };
  }
}
