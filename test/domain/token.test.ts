import { decodeProtectedHeader, jwtVerify } from 'jose';
import { TokenIssuer } from '../../functions/domain/token';

describe('TokenIssuer', () => {
  const secret = 'token-secret-for-tests-0123456789abcdef';
  const issuer = new TokenIssuer({ issuer: 'phone-verify/test', audience: 'phone-verify', ttlSeconds: 600 }, { kid: 'v1', secret });
  const now = Date.UTC(2026, 10, 27, 9, 0, 0, 400);

  it('signs HS256 with the kid in the header and every claim of the spec', async () => {
    const { token, expiresAt } = await issuer.issue('+821012345678', now);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'v1' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: 'phone-verify/test',
      audience: 'phone-verify',
      currentDate: new Date(now),
    });
    const iat = Math.floor(now / 1000);
    expect(payload).toEqual({
      iss: 'phone-verify/test',
      aud: 'phone-verify',
      sub: '+821012345678',
      phone_number: '+821012345678',
      phone_number_verified: true,
      iat,
      exp: iat + 600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(expiresAt).toBe((iat + 600) * 1000);
  });

  it('gives every token its own jti', async () => {
    const a = await issuer.issue('+821012345678', now);
    const b = await issuer.issue('+821012345678', now);
    const jti = async (t: string) => (await jwtVerify(t, new TextEncoder().encode(secret), { currentDate: new Date(now) })).payload.jti;
    expect(await jti(a.token)).not.toBe(await jti(b.token));
  });

  it('does not verify with another secret', async () => {
    const { token } = await issuer.issue('+821012345678', now);
    await expect(jwtVerify(token, new TextEncoder().encode('some-other-secret-0123456789abcdef'), { currentDate: new Date(now) })).rejects.toThrow();
  });
});
