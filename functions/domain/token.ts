import { randomUUID } from 'node:crypto';
import { base64url } from 'jose';
import type { Channel } from './ports';

/** Who issues tokens, for whom, and for how long. */
export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** A public key as the JWKS publishes it (RFC 7517): P-256, for ES256 signatures only. */
export interface PublishedKey {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  /** The RFC 7638 JWK thumbprint (base64url SHA-256) of the public key: the token header's `kid`. */
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'ES256';
}

/**
 * The token keys (docs/tokens.md): the one that signs, and every key the JWKS publishes. In AWS the
 * private key never leaves KMS; locally it is a P-256 key of the process.
 */
export interface TokenKeys {
  /** The signing key's `kid`. */
  signingKeyId(): Promise<string>;
  /**
   * The ES256 signature of `signingInput`: ECDSA P-256 over its SHA-256, as JOSE's fixed 64-byte
   * `r‖s` (RFC 7518 §3.4).
   * @throws VerificationError `service_unavailable` when the key cannot sign now (throttled, disabled, slow)
   */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /**
   * The signing key and every other key still published (the next one ahead of use, the previous
   * ones until their tokens expire).
   * @throws VerificationError `service_unavailable` when the keys cannot be read
   */
  publishedKeys(): Promise<readonly PublishedKey[]>;
}

/** What the token says about the approval, besides the number. */
export interface TokenFacts {
  /** Where the approved code was sent. */
  readonly channel: Channel;
  /** An app-review test number: the token says so (`test_number: true`). */
  readonly testNumber?: boolean | undefined;
  /** The `jti`, when the caller made it before (the check records it with the approval); else a new one. */
  readonly tokenId?: string | undefined;
}

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms; equals the `exp` claim. */
  readonly expiresAt: number;
  /** The `jti` claim. */
  readonly tokenId: string;
}

/** ES256 signatures are exactly 64 bytes: `r` and `s`, 32 each. */
export const ES256_SIGNATURE_BYTES = 64;

const encoder = new TextEncoder();
const encodeJson = (value: object) => base64url.encode(JSON.stringify(value));

/**
 * Signs the verification token (docs/tokens.md): a JWT in JWS compact form, ES256, `kid` the
 * signing key's thumbprint. The signing input is built here and signed by `TokenKeys`, because a
 * key held in KMS cannot be handed to a JWT library; backends verify with any of them.
 */
export class TokenIssuer {
  constructor(
    private readonly settings: TokenSettings,
    private readonly keys: Pick<TokenKeys, 'signingKeyId' | 'sign'>,
  ) {}

  /** A token saying `phoneNumber` (E.164) was verified at `now` (epoch ms). */
  async issue(phoneNumber: string, now: number, facts: TokenFacts): Promise<IssuedToken> {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.settings.ttlSeconds;
    const jti = facts.tokenId ?? randomUUID();
    const header = { alg: 'ES256', typ: 'JWT', kid: await this.keys.signingKeyId() };
    const claims = {
      iss: this.settings.issuer,
      aud: this.settings.audience,
      sub: phoneNumber,
      phone_number: phoneNumber,
      phone_number_verified: true,
      channel: facts.channel,
      iat,
      exp,
      jti,
      ...(facts.testNumber && { test_number: true }),
    };
    const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
    const signature = await this.keys.sign(encoder.encode(signingInput));
    if (signature.length !== ES256_SIGNATURE_BYTES) throw new Error(`an ES256 signature is ${ES256_SIGNATURE_BYTES} bytes, not ${signature.length}`);
    return { token: `${signingInput}.${base64url.encode(signature)}`, expiresAt: exp * 1000, tokenId: jti };
  }
}
