import { createPublicKey, verify } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { TokenIssuer } from '../../functions/domain/token';
import { TEST_TOKEN_SIGNING_KEY } from '../support/token-keys';

describe('TokenIssuer', () => {
  const keys = LocalTokenKeys.from(TEST_TOKEN_SIGNING_KEY);
  const issuer = new TokenIssuer({ issuer: 'phone-verify/test', audience: 'phone-verify', ttlSeconds: 600 }, keys);
  const now = Date.UTC(2026, 10, 27, 9, 0, 0, 400);
  const publicKey = async () => importJWK({ ...(await keys.publishedKeys())[0] }, 'ES256');

  it('signs ES256 with the key’s RFC 7638 thumbprint as kid, and every claim of the token', async () => {
    const { token, expiresAt, tokenId } = await issuer.issue('+821012345678', now, { channel: 'alimtalk' });
    const jwk = createPublicKey(TEST_TOKEN_SIGNING_KEY).export({ format: 'jwk' });
    const thumbprint = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: thumbprint });
    const { payload } = await jwtVerify(token, await publicKey(), { issuer: 'phone-verify/test', audience: 'phone-verify', currentDate: new Date(now) });
    const iat = Math.floor(now / 1000);
    expect(payload).toEqual({
      iss: 'phone-verify/test',
      aud: 'phone-verify',
      sub: '+821012345678',
      phone_number: '+821012345678',
      phone_number_verified: true,
      channel: 'alimtalk',
      iat,
      exp: iat + 600,
      jti: tokenId,
    });
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(expiresAt).toBe((iat + 600) * 1000);
  });

  it('writes a 64-byte r‖s signature that node:crypto verifies over the signing input', async () => {
    const { token } = await issuer.issue('+821012345678', now, { channel: 'sms' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    expect(bytes).toHaveLength(64);
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: createPublicKey(TEST_TOKEN_SIGNING_KEY), dsaEncoding: 'ieee-p1363' }, bytes)).toBe(
      true,
    );
  });

  it('marks a test number’s token, and gives every token its own jti', async () => {
    const a = await issuer.issue('+821012345678', now, { channel: 'sms', testNumber: true });
    const b = await issuer.issue('+821012345678', now, { channel: 'sms' });
    const claims = async (t: string) => (await jwtVerify(t, await publicKey(), { currentDate: new Date(now) })).payload;
    expect(await claims(a.token)).toMatchObject({ test_number: true });
    expect(await claims(b.token)).not.toHaveProperty('test_number');
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  it('refuses to write a token whose signature is not 64 bytes (a signer that returned DER)', async () => {
    const der = new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 60 }, { signingKeyId: async () => 'k', sign: async () => new Uint8Array(71) });
    await expect(der.issue('+821012345678', now, { channel: 'sms' })).rejects.toThrow('an ES256 signature is 64 bytes, not 71');
  });

  it('does not verify with another key', async () => {
    const { token } = await issuer.issue('+821012345678', now, { channel: 'sms' });
    const other = await importJWK({ ...(await LocalTokenKeys.from(undefined).publishedKeys())[0] }, 'ES256');
    await expect(jwtVerify(token, other, { currentDate: new Date(now) })).rejects.toThrow();
  });
});
