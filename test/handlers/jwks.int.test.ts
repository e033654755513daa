import { PhoneTokenError, verifyPhoneToken } from 'phone-verify';
import { KmsTokenKeys } from '../../functions/adapters/kms-token-keys';
import { kmsClientFor, useAws, type AwsEmulator } from '../support/aws';
import { dynamoHarness, type Harness } from '../support/harness';

const E164 = '+821012345678';

/** The check function signing in KMS (the AWS emulator), as deployed: keys named by ARN. */
describe('tokens signed in KMS, and GET /.well-known/jwks.json', () => {
  const aws = useAws();
  let emu: AwsEmulator;
  beforeEach(() => {
    emu = aws();
  });

  const harness = (signing: string, published: string[] = [], env: Record<string, string> = {}) =>
    dynamoHarness(env, { tokenKeys: new KmsTokenKeys(kmsClientFor(emu), signing, published) });

  /** A send and a right check on `h`: the token. */
  async function approve(h: Harness): Promise<string> {
    await h.send({ phoneNumber: E164 });
    const answer = await h.check({ phoneNumber: E164, code: h.sender.lastCode() });
    expect(answer.status).toBe(200);
    return String(answer.json.token);
  }

  it('serves the public keys: 200, cacheable for 5 minutes, from any origin whatever the CORS setting', async () => {
    const key = emu.kms.createKey();
    const h = await harness(key.arn, [], { CORS_ALLOWED_ORIGINS: 'https://app.example.com' });
    const answer = await h.jwks('GET', { Origin: 'https://elsewhere.example' });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
    expect(answer.json).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), use: 'sig', alg: 'ES256' }],
    });
    // The other routes still answer only the listed origins.
    expect(
      (await h.check({ phoneNumber: E164, code: '123456' }, { Origin: 'https://elsewhere.example' })).headers['Access-Control-Allow-Origin'],
    ).toBeUndefined();
    expect(emu.refusals).toEqual([]);
  });

  it('answers HEAD with the same headers and no body; any other method 405 with Allow: GET, HEAD; only the exact path', async () => {
    const h = await harness(emu.kms.createKey().arn);
    const head = await h.jwks('HEAD');
    expect({ status: head.status, cache: head.headers['Cache-Control'], body: head.json }).toEqual({ status: 200, cache: 'public, max-age=300', body: {} });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const refused = await h.jwks(method);
      expect({ status: refused.status, allow: refused.headers.Allow, code: refused.json.code }).toEqual({
        status: 405,
        allow: 'GET, HEAD',
        code: 'method_not_allowed',
      });
    }
    expect((await h.jwks('GET', {}, '/.well-known/jwks.json/')).json.code).toBe('not_found');
    expect((await h.jwks('GET', {}, '/.well-known/JWKS.json')).json.code).toBe('not_found');
  });

  it('answers 503 with Retry-After when KMS cannot give the keys', async () => {
    const h = await harness(emu.kms.createKey().arn);
    emu.mode.kms = 'throttle';
    const answer = await h.jwks();
    expect({ status: answer.status, code: answer.json.code, retryAfter: answer.headers['Retry-After'] }).toEqual({
      status: 503,
      code: 'service_unavailable',
      retryAfter: '2',
    });
    expect(answer.headers['Access-Control-Allow-Origin']).toBe('*');
  });

  it('signs the token in KMS: a backend verifies it with the published keys alone', async () => {
    const key = emu.kms.createKey();
    const h = await harness(key.arn);
    const token = await approve(h);
    const verified = await verifyPhoneToken(token, {
      keys: (await h.jwks()).json as never,
      issuer: 'phone-verify/local',
      currentDate: new Date(h.clock.now()),
    });
    expect(verified).toMatchObject({ phoneNumber: E164, channel: 'sms' });
    expect(emu.calls.filter((c) => c.op === 'Sign').at(-1)?.input).toMatchObject({ KeyId: key.arn });
    expect(emu.refusals).toEqual([]);
  });

  it('serves the keys it can read: a retired key KMS cannot read is left out, and the JWKS stays up', async () => {
    const signing = emu.kms.createKey();
    const retired = emu.kms.createKey();
    emu.kms.scheduleKeyDeletion(retired.arn);
    const h = await harness(signing.arn, [retired.arn]);
    const answer = await h.jwks();
    expect(answer.status).toBe(200);
    expect((answer.json as { keys: unknown[] }).keys).toHaveLength(1);
    expect(emu.refusals).toEqual([expect.stringContaining('pending deletion')]);
    emu.refusals.length = 0;
  });

  it.each([
    ['throttles', 'throttle' as const],
    ['refuses access (a deploy in progress)', 'accessDenied' as const],
  ])('answers 503 when KMS %s as it signs, and the approved code stays used up (one approval per code)', async (_label, mode) => {
    const h = await harness(emu.kms.createKey().arn);
    await h.send({ phoneNumber: E164 });
    const code = h.sender.lastCode();
    emu.mode.kms = mode;
    const failed = await h.check({ phoneNumber: E164, code });
    expect({ status: failed.status, code: failed.json.code, retryAfter: failed.headers['Retry-After'] }).toEqual({
      status: 503,
      code: 'service_unavailable',
      retryAfter: '2',
    });
    emu.mode.kms = 'ok';
    expect((await h.check({ phoneNumber: E164, code })).json.code).toBe('verification_not_found');
    expect((await h.item())?.attempts).toBe(1);
  });

  it('rotates without breaking a token in flight: the previous key verifies while published, and not after', async () => {
    const previous = emu.kms.createKey({ alias: 'phone-verify/local/token-k1' });
    const next = emu.kms.createKey({ alias: 'phone-verify/local/token-k2' });
    const jwksOf = async (h: Harness) => (await h.jwks()).json as { keys: Array<{ kid: string }> };
    // Before: k1 signs. Step 1: publish k2 ahead of use (k1 still signs).
    const before = await harness(previous.arn);
    const old = await approve(before);
    const step1 = await harness(previous.arn, [next.arn]);
    expect((await jwksOf(step1)).keys).toHaveLength(2);
    // Step 2, a cache period later: k2 signs, k1 still published for the tokens it signed.
    const step2 = await harness(next.arn, [previous.arn]);
    const fresh = await approve(step2);
    const verify = async (token: string, h: Harness) =>
      verifyPhoneToken(token, { keys: await jwksOf(h), issuer: 'phone-verify/local', currentDate: new Date(h.clock.now()) }).then(
        (v) => v.phoneNumber,
        (e: PhoneTokenError) => e.code,
      );
    expect(await verify(old, step2)).toBe(E164);
    expect(await verify(fresh, step2)).toBe(E164);
    // Step 3, a token lifetime later: k1 is no longer published, and its tokens no longer verify.
    const step3 = await harness(next.arn, []);
    expect(await verify(old, step3)).toBe('unknown_key');
    expect(await verify(fresh, step3)).toBe(E164);
    expect(emu.refusals).toEqual([]);
  });
});
