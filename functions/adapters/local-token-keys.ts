import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { ConfigError } from '../domain/errors';
import type { PublishedKey, TokenKeys } from '../domain/token';

/** A P-256 public key as the JWKS publishes it, its `kid` the RFC 7638 thumbprint (the key itself names it). */
export async function publishedKey(publicKey: KeyObject): Promise<PublishedKey> {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new ConfigError('a token key must be an EC P-256 key (ES256)');
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, 'sha256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, use: 'sig', alg: 'ES256' };
}

/**
 * Token keys of this process, for `npm start` and the tests (docs/tokens.md): a P-256 private key
 * from `TOKEN_SIGNING_KEY` (PKCS#8 PEM), or a random one, whose tokens stop verifying after a restart.
 */
export class LocalTokenKeys implements TokenKeys {
  private readonly published: Promise<PublishedKey>;

  constructor(private readonly privateKey: KeyObject) {
    this.published = publishedKey(createPublicKey(privateKey));
  }

  /** The key in `pem` (PKCS#8), or a new random one. */
  static from(pem: string | undefined): LocalTokenKeys {
    if (pem === undefined) return new LocalTokenKeys(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch {
      throw new ConfigError('TOKEN_SIGNING_KEY must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)');
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ConfigError('TOKEN_SIGNING_KEY must be an EC P-256 private key (ES256)');
    }
    return new LocalTokenKeys(key);
  }

  async signingKeyId(): Promise<string> {
    return (await this.published).kid;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    // ieee-p1363 is JOSE's r‖s form (RFC 7518 §3.4); node's default would be DER.
    return sign('sha256', signingInput, { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
  }

  async publishedKeys(): Promise<readonly PublishedKey[]> {
    return [await this.published];
  }
}
