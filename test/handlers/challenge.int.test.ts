import { logger } from '../../functions/adapters/observability';
import { startChallengeEmulator, type ChallengeEmulator } from '../emulators/challenge-emulator/challenge-emulator.cjs';
import { dynamoHarness, type Harness } from '../support/harness';

/**
 * POST /v1/verifications where a bot challenge is configured (docs/challenge.md), on DynamoDB
 * Local, against the vendored challenge stand-in: what is asked, in which order, and what a
 * script without a valid token costs (nothing).
 */

const SITE = { service: 'turnstile' as const, sitekey: '0x4AAAAAAAsend', secret: '0x4AAAAAAAsend-secret', hostname: 'app.example' };
const KR = { phoneNumber: '010-1234-5678' };
const CALLER = '203.0.113.7';

let emu: ChallengeEmulator;
let h: Harness;

const env = (overrides: Record<string, string> = {}) => ({
  CHALLENGE_PROVIDER: 'turnstile',
  CHALLENGE_SITE_KEY: SITE.sitekey,
  CHALLENGE_SECRET: SITE.secret,
  CHALLENGE_ENDPOINT: emu.url,
  CHALLENGE_HOSTNAMES: 'app.example',
  CHALLENGE_TIMEOUT_MS: '500',
  TEST_NUMBERS: '+821012340000=123456',
  ...overrides,
});
const token = (options: { hostname?: string } = {}) => emu.issueToken({ service: 'turnstile', sitekey: SITE.sitekey, ...options });

beforeEach(async () => {
  emu = await startChallengeEmulator();
  emu.addSite(SITE);
  h = await dynamoHarness(env());
}, 30_000);
afterEach(() => emu.close(), 10_000);

describe('POST /v1/verifications with CHALLENGE_WHEN=always', () => {
  it('answers 403 challenge_required without a token, charging and storing nothing', async () => {
    const answer = await h.send(KR);
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ type: 'urn:phone-verify:problem:challenge-required', status: 403, code: 'challenge_required' });
    expect(answer.headers['Content-Type']).toBe('application/problem+json');
    expect(await h.items()).toEqual([]);
    expect(h.sender.messages).toEqual([]);
    expect(emu.calls).toEqual([]);
  });

  it('sends the code once the service passed the token, which it was given with the caller’s address from API Gateway (never a header)', async () => {
    const t = token();
    const answer = await h.send({ ...KR, challengeToken: t }, { 'X-Forwarded-For': '198.51.100.1' }, CALLER);
    expect(answer.status).toBe(202);
    expect(h.sender.messages).toHaveLength(1);
    expect(emu.refusals).toEqual([]);
    expect(emu.calls.map((c) => c.input)).toEqual([{ secret: SITE.secret, response: t, remoteip: CALLER }]);
  });

  it('answers 403 challenge_failed for a token used twice, and for one from another host name, charging nothing', async () => {
    const t = token();
    expect((await h.send({ ...KR, challengeToken: t })).status).toBe(202);
    const before = await h.item();
    const replayed = await h.send({ phoneNumber: '010-2222-3333', challengeToken: t });
    expect(replayed.status).toBe(403);
    expect(replayed.json).toMatchObject({ code: 'challenge_failed', type: 'urn:phone-verify:problem:challenge-failed' });
    const elsewhere = await h.send({ phoneNumber: '010-2222-3333', challengeToken: token({ hostname: 'evil.example' }) });
    expect(elsewhere.json.code).toBe('challenge_failed');
    expect(await h.item('+821022223333')).toBeUndefined();
    expect(await h.item()).toEqual(before);
    expect(h.sender.messages).toHaveLength(1);
    expect(emu.refusals).toEqual([expect.stringContaining('timeout-or-duplicate: token already redeemed')]);
  });

  it('answers 503 with Retry-After when the service does not answer, within CHALLENGE_TIMEOUT_MS, charging nothing', async () => {
    emu.mode = 'hang';
    const started = performance.now();
    const answer = await h.send({ ...KR, challengeToken: token() });
    expect(performance.now() - started).toBeLessThan(500 + 3_000);
    expect({ status: answer.status, code: answer.json.code, retryAfter: answer.headers['Retry-After'] }).toEqual({
      status: 503,
      code: 'service_unavailable',
      retryAfter: '5',
    });
    expect(await h.items()).toEqual([]);
    expect(h.sender.messages).toEqual([]);
  });

  it('answers 503 when the service refuses our secret (not the person’s fault)', async () => {
    const wrongSecret = await dynamoHarness(env({ CHALLENGE_SECRET: 'a-secret-nobody-issued' }));
    const answer = await wrongSecret.send({ ...KR, challengeToken: token() });
    expect(answer.status).toBe(503);
    expect(await wrongSecret.items()).toEqual([]);
    expect(emu.refusals).toEqual([expect.stringContaining('invalid-input-secret')]);
  });

  it('spends no token on an invalid number, a country not allowed or a channel not configured', async () => {
    for (const body of [{ phoneNumber: '02-123-4567' }, { phoneNumber: '+1 202 555 0143' }, { ...KR, channel: 'alimtalk' }]) {
      const answer = await h.send({ ...body, challengeToken: token() });
      expect(answer.status).toBe(400);
    }
    expect(emu.calls).toEqual([]);
  });

  it('refuses a challengeToken that is empty, too long or not a string with invalid_request, saying what it must be, asking nothing', async () => {
    for (const challengeToken of ['', 'x'.repeat(16_385), 42]) {
      const answer = await h.send({ ...KR, challengeToken });
      expect({ status: answer.status, code: answer.json.code, detail: answer.json.detail }).toEqual({
        status: 400,
        code: 'invalid_request',
        detail: 'challengeToken must be a string of 1 to 16384 characters.',
      });
    }
    expect(emu.calls).toEqual([]);
  });

  it('lets a test number through without a token, asking the service nothing', async () => {
    const answer = await h.send({ phoneNumber: '010-1234-0000' });
    expect(answer.status).toBe(202);
    expect(emu.calls).toEqual([]);
  });

  it('judges the token before the number’s own limits: inside the cooldown the token is spent, then 429', async () => {
    expect((await h.send({ ...KR, challengeToken: token() })).status).toBe(202);
    const again = await h.send({ ...KR, challengeToken: token() });
    expect(again.json.code).toBe('resend_too_soon');
    expect(emu.calls).toHaveLength(2);
    expect(emu.refusals).toEqual([]);
  });
});

describe('a keyed retry where a challenge is configured', () => {
  it('gets the stored 202 back without a token, and the stand-in sees no call for it', async () => {
    const first = await h.send({ ...KR, challengeToken: token() }, { 'Idempotency-Key': 'checkout-1' });
    expect(first.status).toBe(202);
    const retry = await h.send(KR, { 'Idempotency-Key': 'checkout-1' });
    expect(retry.status).toBe(202);
    expect(retry.headers['Idempotent-Replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    // A retry that carries the first (spent) token is answered the same way, without asking.
    expect((await h.send({ ...KR, challengeToken: 'the-spent-one' }, { 'Idempotency-Key': 'checkout-1' })).status).toBe(202);
    expect(emu.calls).toHaveLength(1);
    expect(h.sender.messages).toHaveLength(1);
  });

  it('meets 409 while the first is still out, without asking the service', async () => {
    const { entered, release } = h.sender.hold();
    const first = h.send({ ...KR, challengeToken: token() }, { 'Idempotency-Key': 'slow-1' });
    await entered;
    const retry = await h.send(KR, { 'Idempotency-Key': 'slow-1' });
    expect(retry.status).toBe(409);
    release();
    expect((await first).status).toBe(202);
    expect(emu.calls).toHaveLength(1);
  });
});

describe('the body limit where a challenge is configured', () => {
  const body = (bytes: number) => {
    const base = JSON.stringify({ ...KR, challengeToken: 'x'.repeat(16_384), pad: '' });
    return JSON.stringify({ ...KR, challengeToken: 'x'.repeat(16_384), pad: 'p'.repeat(bytes - Buffer.byteLength(base)) });
  };

  it('takes 20,480 bytes on the send route, and refuses one more with 413 naming the limit', async () => {
    expect(Buffer.byteLength(body(20_480))).toBe(20_480);
    const fits = await h.send(body(20_480));
    expect(fits.json.code).toBe('challenge_failed'); // judged on its merits: the stand-in never issued that token
    const over = await h.send(body(20_481));
    expect({ status: over.status, code: over.json.code, detail: over.json.detail }).toEqual({
      status: 413,
      code: 'payload_too_large',
      detail: 'The request body is over 20480 bytes.',
    });
  });

  it('keeps 4 KiB on the check route', async () => {
    const answer = await h.check(JSON.stringify({ phoneNumber: '+821012345678', code: '123456', pad: 'p'.repeat(4_100) }));
    expect({ status: answer.status, detail: answer.json.detail }).toEqual({ status: 413, detail: 'The request body is over 4096 bytes.' });
  });
});

describe('CHALLENGE_WHEN=tripped without the SMS-pumping guard', () => {
  it('asks nobody for a token: no destination is tripped', async () => {
    const tripped = await dynamoHarness(env({ CHALLENGE_WHEN: 'tripped' }));
    expect((await tripped.send(KR, { 'Idempotency-Key': 'k' })).status).toBe(202);
    expect(emu.calls).toEqual([]);
  });
});

describe('what the log says of the challenge', () => {
  it('names the refusal’s codes and the failure’s reason, never the token or the secret', async () => {
    let output = '';
    const streams = [process.stdout, process.stderr] as const;
    const writes = streams.map((stream) => stream.write);
    for (const stream of streams) stream.write = ((chunk: string | Uint8Array) => ((output += String(chunk)), true)) as typeof stream.write;
    logger.setLogLevel('DEBUG');
    const t = token();
    try {
      await h.send({ ...KR, challengeToken: t });
      await h.send({ phoneNumber: '010-2222-3333', challengeToken: t });
      emu.mode = 'fail500';
      await h.send({ phoneNumber: '010-4444-5555', challengeToken: 'a-token-the-service-never-saw' });
    } finally {
      logger.setLogLevel('SILENT');
      streams.forEach((stream, i) => (stream.write = writes[i]!));
    }
    expect(output).toContain('"message":"challenge refused"');
    expect(output).toContain('timeout-or-duplicate');
    expect(output).toContain('turnstile answered HTTP 500');
    for (const secret of [t, 'a-token-the-service-never-saw', SITE.secret])
      expect({ secret, leaked: output.includes(secret) }).toEqual({ secret, leaked: false });
  });
});
