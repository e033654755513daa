import { SignJWT } from 'jose';
import { PhoneTokenError, verifyPhoneToken } from 'phone-verify';
import { TokenIssuer } from '../../functions/domain/token';

const SECRET = 'backend-shared-token-secret-0123456789';
const issuer = new TokenIssuer({ issuer: 'phone-verify/prod', audience: 'phone-verify', ttlSeconds: 600 }, { kid: 'v7', secret: SECRET });
const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);
const at = (ms: number) => new Date(ms);

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(PhoneTokenError);
    return (error as PhoneTokenError).code;
  }
}

describe('verifyPhoneToken (exported from the package for consuming backends)', () => {
  it('returns the verified number and the token facts', async () => {
    const { token } = await issuer.issue('+821012345678', NOW);
    const verified = await verifyPhoneToken(token, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW + 1000) });
    expect(verified).toEqual({
      phoneNumber: '+821012345678',
      tokenId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      issuedAt: at(NOW),
      expiresAt: at(NOW + 600_000),
      keyId: 'v7',
      testNumber: false,
    });
  });

  it('looks the secret up by kid when given a resolver (rotation)', async () => {
    const { token } = await issuer.issue('+821012345678', NOW);
    const asked: Array<string | undefined> = [];
    const verified = await verifyPhoneToken(token, {
      secretResolver: (kid) => (asked.push(kid), kid === 'v7' ? SECRET : 'old-secret-old-secret-old-secret'),
      issuer: 'phone-verify/prod',
      currentDate: at(NOW),
    });
    expect(verified.phoneNumber).toBe('+821012345678');
    expect(asked).toEqual(['v7']);
  });

  it.each([
    ['a wrong secret', { secret: 'another-secret-another-secret-xx' }, NOW, 'bad_signature'],
    ['after exp (beyond the 5 s leeway)', {}, NOW + 606_000, 'expired'],
    ['another environment', { issuer: 'phone-verify/dev' }, NOW, 'wrong_issuer'],
    ['another audience', { audience: 'billing' }, NOW, 'wrong_audience'],
    [
      'a resolver that does not know the kid',
      {
        secret: undefined,
        secretResolver: () => {
          throw new Error('kid v7 unknown');
        },
      },
      NOW,
      'unknown_key',
    ],
    ['a secret of 31 bytes (RFC 7518: at least 32)', { secret: SECRET.slice(0, 31) }, NOW, 'secret_too_short'],
    ['an empty secret', { secret: '' }, NOW, 'secret_too_short'],
    ['a resolver that returns a short secret', { secret: undefined, secretResolver: () => new Uint8Array(16) }, NOW, 'secret_too_short'],
    ['a clock 6 s behind the issuer (iat in the future beyond the 5 s leeway)', {}, NOW - 6_000, 'issued_in_future'],
  ])('refuses a token checked with %s', async (_label, overrides, now, code) => {
    const { token } = await issuer.issue('+821012345678', NOW);
    const options = { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(now), ...overrides } as Parameters<typeof verifyPhoneToken>[1];
    expect(await refusal(verifyPhoneToken(token, options))).toBe(code);
  });

  it('accepts a token whose iat is 4 s ahead of this clock (leeway)', async () => {
    const { token } = await issuer.issue('+821012345678', NOW);
    expect(await refusal(verifyPhoneToken(token, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW - 4_000) }))).toBe('accepted');
  });

  it.each([
    ['no options at all', undefined],
    ['no issuer', { secret: SECRET }],
    ['an empty issuer', { secret: SECRET, issuer: '' }],
  ])('refuses to run with %s when called from plain JavaScript (TypeError, not "any issuer")', async (_label, options) => {
    const { token } = await issuer.issue('+821012345678', NOW);
    await expect(verifyPhoneToken(token, options as never)).rejects.toThrow(
      new TypeError('verifyPhoneToken: options.issuer is required (e.g. "phone-verify/prod"), so a token of another environment is refused'),
    );
  });

  it('accepts a token 4 s past exp (clock skew leeway)', async () => {
    const { token } = await issuer.issue('+821012345678', NOW);
    expect(await refusal(verifyPhoneToken(token, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW + 604_000) }))).toBe('accepted');
  });

  it('refuses a token with a modified payload', async () => {
    const { token } = await issuer.issue('+821012345678', NOW);
    const [h, p, s] = token.split('.');
    const forged = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    forged.phone_number = forged.sub = '+821099998888';
    const tampered = [h, Buffer.from(JSON.stringify(forged)).toString('base64url'), s].join('.');
    expect(await refusal(verifyPhoneToken(tampered, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW) }))).toBe('bad_signature');
  });

  it('refuses HS512 and unsigned ("none") tokens', async () => {
    const claims = { phone_number: '+821012345678', phone_number_verified: true };
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer('phone-verify/prod')
      .setAudience('phone-verify')
      .setSubject('+821012345678')
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .setJti('j')
      .sign(new TextEncoder().encode(SECRET));
    expect(await refusal(verifyPhoneToken(hs512, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW) }))).toBe('wrong_algorithm');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: 'phone-verify/prod', aud: 'phone-verify', sub: '+821012345678', iat: NOW / 1000, exp: NOW / 1000 + 600, jti: 'j' })).toString('base64url')}.`;
    expect(await refusal(verifyPhoneToken(none, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW) }))).toBe('wrong_algorithm');
  });

  it('refuses a correctly signed token that does not say the number was verified', async () => {
    const token = await new SignJWT({ phone_number: '+821012345678', phone_number_verified: false })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('phone-verify/prod')
      .setAudience('phone-verify')
      .setSubject('+821012345678')
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .setJti('j')
      .sign(new TextEncoder().encode(SECRET));
    expect(await refusal(verifyPhoneToken(token, { secret: SECRET, issuer: 'phone-verify/prod', currentDate: at(NOW) }))).toBe('not_verified');
  });

  it('refuses garbage as malformed', async () => {
    for (const garbage of ['', 'a.b', 'not a jwt', 'a.b.c']) {
      expect(await refusal(verifyPhoneToken(garbage, { secret: SECRET, issuer: 'phone-verify/prod' }))).toBe('malformed');
    }
  });
});
