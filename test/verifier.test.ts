import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, base64url } from 'jose';
import { PhoneTokenError, verifyPhoneToken } from 'phone-verify';
import { LocalTokenKeys } from '../functions/adapters/local-token-keys';
import { TokenIssuer, type PublishedKey } from '../functions/domain/token';
import { TEST_TOKEN_SIGNING_KEY, testJwks } from './support/token-keys';

const SETTINGS = { issuer: 'phone-verify/prod', audience: 'phone-verify', ttlSeconds: 600 };
const keys = LocalTokenKeys.from(TEST_TOKEN_SIGNING_KEY);
const issuer = new TokenIssuer(SETTINGS, keys);
const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);
const at = (ms: number) => new Date(ms);
const CLAIMS = {
  iss: 'phone-verify/prod',
  aud: 'phone-verify',
  sub: '+821012345678',
  phone_number: '+821012345678',
  phone_number_verified: true,
  channel: 'sms',
  iat: NOW / 1000,
  exp: NOW / 1000 + 600,
  jti: 'j',
};
const encode = (value: object) => base64url.encode(JSON.stringify(value));

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(PhoneTokenError);
    return (error as PhoneTokenError).code;
  }
}

/** A token with our claims, signed as `header` says by `sign` (the attacker's tools: jose with any key). */
async function forge(header: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0], claims: object = CLAIMS): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader(header as { alg: string }).sign(key);
}

describe('verifyPhoneToken (exported from the package for consuming backends)', () => {
  let jwks: { keys: readonly PublishedKey[] };
  beforeAll(async () => {
    jwks = await testJwks();
  });
  const verifyAt = (token: string, now = NOW, extra: object = {}) =>
    verifyPhoneToken(token, { keys: jwks, issuer: 'phone-verify/prod', currentDate: at(now), ...extra });

  it('returns the verified number and the token facts, with the keys as a JWKS document or as its keys', async () => {
    const { token, tokenId } = await issuer.issue('+821012345678', NOW, { channel: 'alimtalk' });
    const expected = {
      phoneNumber: '+821012345678',
      tokenId,
      issuedAt: at(NOW),
      expiresAt: at(NOW + 600_000),
      keyId: jwks.keys[0]?.kid,
      channel: 'alimtalk',
      testNumber: false,
    };
    expect(await verifyAt(token, NOW + 1000)).toEqual(expected);
    expect(await verifyPhoneToken(token, { keys: jwks.keys, issuer: 'phone-verify/prod', currentDate: at(NOW) })).toEqual(expected);
  });

  it.each([
    ['another environment', { issuer: 'phone-verify/dev' }, NOW, 'wrong_issuer'],
    ['another audience', { audience: 'someone-else' }, NOW, 'wrong_audience'],
    ['after expiry plus the leeway', {}, NOW + 606_000, 'expired'],
    ['issued more than the leeway in the future', {}, NOW - 6_000, 'issued_in_future'],
  ])('refuses a token from %s', async (_label, overrides, now, code) => {
    const { token } = await issuer.issue('+821012345678', NOW, { channel: 'sms' });
    expect(await refusal(verifyAt(token, now, overrides))).toBe(code);
  });

  it('accepts a token within the 5 s leeway of either end', async () => {
    const { token } = await issuer.issue('+821012345678', NOW, { channel: 'sms' });
    expect((await verifyAt(token, NOW - 4_000)).phoneNumber).toBe('+821012345678');
    expect((await verifyAt(token, NOW + 604_000)).phoneNumber).toBe('+821012345678');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const { token } = await issuer.issue('+821012345678', NOW, { channel: 'sms' });
    const [h, , s] = token.split('.');
    const tampered = [h, encode({ ...CLAIMS, sub: '+821099998888', phone_number: '+821099998888' }), s].join('.');
    expect(await refusal(verifyAt(tampered))).toBe('bad_signature');
  });

  it('refuses algorithm confusion: HS256 with the public key as the secret, alg none, HS512', async () => {
    const kid = jwks.keys[0]!.kid;
    const publicPem = new TextEncoder().encode(createPublicKey(TEST_TOKEN_SIGNING_KEY).export({ type: 'spki', format: 'pem' }).toString());
    expect(await refusal(verifyAt(await forge({ alg: 'HS256', kid }, publicPem)))).toBe('wrong_algorithm');
    expect(await refusal(verifyAt(await forge({ alg: 'HS512', kid }, publicPem)))).toBe('wrong_algorithm');
    expect(await refusal(verifyAt(`${encode({ alg: 'none', kid })}.${encode(CLAIMS)}.`))).toBe('wrong_algorithm');
  });

  it('never takes a key the token names itself (jku, x5u, jwk, x5c)', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    for (const header of [{ jwk }, { jku: 'https://attacker.example/jwks.json' }, { x5u: 'https://attacker.example/cert.pem' }, { x5c: ['MIIB'] }]) {
      const token = await forge({ alg: 'ES256', kid: jwks.keys[0]!.kid, ...header }, attacker.privateKey);
      expect(await refusal(verifyAt(token))).toBe('forbidden_header');
    }
  });

  it('needs a kid, and one the key set publishes for ES256 (a JWK of the same kid with alg HS256 is no match)', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await refusal(verifyAt(await forge({ alg: 'ES256' }, attacker)))).toBe('missing_key_id');
    expect(await refusal(verifyAt(await forge({ alg: 'ES256', kid: 'not-published' }, attacker)))).toBe('unknown_key');
    const confused = { keys: [{ kty: 'oct', k: base64url.encode('a-shared-secret-of-32-bytes-long'), kid: 'shared', alg: 'HS256' }] };
    const hs = await forge({ alg: 'ES256', kid: 'shared' }, attacker);
    expect(await refusal(verifyPhoneToken(hs, { keys: confused as never, issuer: 'phone-verify/prod', currentDate: at(NOW) }))).toBe('unknown_key');
  });

  it('refuses a signature that is not 64 bytes (DER, as KMS returns it, is not JOSE)', async () => {
    const { token } = await issuer.issue('+821012345678', NOW, { channel: 'sms' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const der = Buffer.concat([
      Buffer.from([0x30, 0x44, 0x02, 0x20]),
      Buffer.from(s, 'base64url').subarray(0, 32),
      Buffer.from([0x02, 0x20]),
      Buffer.from(s, 'base64url').subarray(32),
    ]);
    expect(await refusal(verifyAt(`${h}.${p}.${der.toString('base64url')}`))).toBe('bad_signature');
  });

  it('refuses a correctly signed token that does not say the number was verified', async () => {
    const unverified = { ...CLAIMS, phone_number_verified: false };
    const privateKey = createPrivateKey(TEST_TOKEN_SIGNING_KEY);
    expect(await refusal(verifyAt(await forge({ alg: 'ES256', kid: jwks.keys[0]!.kid }, privateKey, unverified)))).toBe('not_verified');
  });

  it('refuses garbage as malformed', async () => {
    for (const garbage of ['', 'a.b', 'not a jwt', 'a.b.c']) expect(await refusal(verifyAt(garbage))).toBe('malformed');
  });

  it.each([
    ['no issuer', { keys: [] }, 'options.issuer is required'],
    ['an empty issuer', { keys: [], issuer: '' }, 'options.issuer is required'],
    ['no keys', { issuer: 'phone-verify/prod' }, 'exactly one of options.jwksUrl'],
    ['both key sources', { issuer: 'phone-verify/prod', keys: [], jwksUrl: 'https://x.example/jwks.json' }, 'exactly one of options.jwksUrl'],
  ])('throws a TypeError for %s (from plain JavaScript too)', async (_label, options, message) => {
    const { token } = await issuer.issue('+821012345678', NOW, { channel: 'sms' });
    await expect(verifyPhoneToken(token, options as never)).rejects.toThrow(TypeError);
    await expect(verifyPhoneToken(token, options as never)).rejects.toThrow(message);
  });
});

describe('verifyPhoneToken with a JWKS URL (jose’s remote key set: cached, refetched on an unknown kid, rate-limited)', () => {
  let server: Server;
  let url: string;
  let published: PublishedKey[] = [];
  let fetches = 0;
  let mode: 'ok' | 'fail500' | 'hang' = 'ok';
  beforeAll(async () => {
    server = createServer((req, res) => {
      fetches += 1;
      if (mode === 'hang') return;
      if (mode === 'fail500') return void res.writeHead(500).end('no');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches once, refetches for a new kid (a rotation), and not again for a kid it still lacks', async () => {
    const first = LocalTokenKeys.from(undefined);
    const nextKeys = LocalTokenKeys.from(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    published = [...(await first.publishedKeys())];
    const jwksUrl = `${url}?case=rotation`;
    const now = Date.now();
    const verify = (token: string) => verifyPhoneToken(token, { jwksUrl, issuer: 'phone-verify/prod' });
    const before = fetches;
    const a = await new TokenIssuer(SETTINGS, first).issue('+821012345678', now, { channel: 'sms' });
    await verify(a.token);
    await verify(a.token);
    expect(fetches - before).toBe(1); // cached
    const b = await new TokenIssuer(SETTINGS, nextKeys).issue('+821012345678', now, { channel: 'sms' });
    published = [...published, ...(await nextKeys.publishedKeys())];
    expect(await refusal(verify(b.token))).toBe('unknown_key'); // inside the 30 s cooldown: no refetch yet
    expect(fetches - before).toBe(1);
    // 31 s on (jose reads Date.now for its cooldown and cache age).
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 31_000);
    try {
      expect((await verify(b.token)).phoneNumber).toBe('+821012345678'); // unknown kid: one refetch finds it
      expect(fetches - before).toBe(2);
    } finally {
      clock.mockRestore();
    }
    const stranger = await new TokenIssuer(SETTINGS, LocalTokenKeys.from(undefined)).issue('+821012345678', now, { channel: 'sms' });
    expect(await refusal(verify(stranger.token))).toBe('unknown_key');
    expect(await refusal(verify(stranger.token))).toBe('unknown_key');
    expect(fetches - before).toBe(2); // the cooldown holds back a refetch storm
  });

  it('says jwks_unavailable when the key set answers an error, or not at all (a timeout)', async () => {
    const { token } = await issuer.issue('+821012345678', Date.now(), { channel: 'sms' });
    mode = 'fail500';
    expect(await refusal(verifyPhoneToken(token, { jwksUrl: `${url}?case=500`, issuer: 'phone-verify/prod' }))).toBe('jwks_unavailable');
    mode = 'hang';
    expect(await refusal(verifyPhoneToken(token, { jwksUrl: `${url}?case=hang`, issuer: 'phone-verify/prod' }))).toBe('jwks_unavailable');
    mode = 'ok';
  });
});
