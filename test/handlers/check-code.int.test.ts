import { createLocalJWKSet, jwtVerify } from 'jose';
import { wrong } from '../support/fakes';
import { dynamoHarness, type Harness } from '../support/harness';
import { testJwks } from '../support/token-keys';

const E164 = '+821012345678';
const SECOND = 1000;

describe('POST /v1/verifications/check', () => {
  let h: Harness;
  let code: string;
  beforeEach(async () => {
    h = await dynamoHarness();
    await h.send({ phoneNumber: '010-1234-5678' });
    code = h.sender.lastCode();
  });

  it('approves the right code with a token any backend can verify offline', async () => {
    const answer = await h.check({ phoneNumber: E164, code });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      status: 'approved',
      phoneNumber: E164,
      token: expect.any(String),
      tokenExpiresAt: new Date(h.clock.now() + 600 * SECOND).toISOString(),
    });
    const jwks = await testJwks();
    const { payload, protectedHeader } = await jwtVerify(answer.json.token as string, createLocalJWKSet(jwks), {
      issuer: 'phone-verify/local',
      audience: 'phone-verify',
      algorithms: ['ES256'],
      currentDate: new Date(h.clock.now()),
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: jwks.keys[0]?.kid });
    expect(payload).toMatchObject({ sub: E164, phone_number: E164, phone_number_verified: true, channel: 'sms' });
    expect(new Date((payload.exp ?? 0) * 1000).toISOString()).toBe(answer.json.tokenExpiresAt);
  });

  it('accepts the number in national form too', async () => {
    expect((await h.check({ phoneNumber: '010 1234 5678', code })).status).toBe(200);
  });

  it('approves a code only once', async () => {
    expect((await h.check({ phoneNumber: E164, code })).status).toBe(200);
    const again = await h.check({ phoneNumber: E164, code });
    expect(again.status).toBe(404);
    expect(again.json.code).toBe('verification_not_found');
  });

  it('answers incorrect_code with the checks still allowed, 0 on the last wrong guess', async () => {
    const remaining: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await h.check({ phoneNumber: E164, code: wrong(code) });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('incorrect_code');
      remaining.push(answer.json.attemptsRemaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
  });

  it('refuses even the right code after 5 wrong guesses', async () => {
    for (let i = 0; i < 5; i += 1) await h.check({ phoneNumber: E164, code: wrong(code) });
    const answer = await h.check({ phoneNumber: E164, code });
    expect(answer.status).toBe(429);
    expect(answer.json.code).toBe('too_many_attempts');
  });

  it('refuses an expired code while its item still sits in the table', async () => {
    h.clock.advance(300 * SECOND);
    const answer = await h.check({ phoneNumber: E164, code });
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('verification_not_found');
    expect((await h.item())?.codeHash).toBeDefined();
  });

  it('accepts the code until the last millisecond of its life', async () => {
    h.clock.advance(300 * SECOND - 1);
    expect((await h.check({ phoneNumber: E164, code })).status).toBe(200);
  });

  it('answers 404 rather than 429 for a code both expired and used up', async () => {
    for (let i = 0; i < 5; i += 1) await h.check({ phoneNumber: E164, code: wrong(code) });
    h.clock.advance(300 * SECOND);
    expect((await h.check({ phoneNumber: E164, code })).json.code).toBe('verification_not_found');
  });

  it('answers 404 for a number that never got a code', async () => {
    const answer = await h.check({ phoneNumber: '010-9999-8888', code: '123456' });
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('verification_not_found');
  });

  it('counts the correct check as an attempt', async () => {
    await h.check({ phoneNumber: E164, code: wrong(code) });
    await h.check({ phoneNumber: E164, code });
    expect((await h.item())?.attempts).toBe(2);
  });

  it.each([
    ['5 digits', '12345'],
    ['7 digits', '1234567'],
    ['letters', '12345a'],
    ['full-width digits', '１２３４５６'],
    ['a number instead of a string', 123456],
    ['nothing', undefined],
  ])('refuses a code of %s as invalid_request without using up an attempt', async (_label, bad) => {
    const answer = await h.check({ phoneNumber: E164, code: bad });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_request');
    expect((await h.item())?.attempts).toBe(0);
  });

  it('keeps leading zeros: "000123" is not "123"', async () => {
    const zeroes = await dynamoHarness({ CODE_LENGTH: '4' });
    await zeroes.send({ phoneNumber: '010-1234-5678' });
    const sent = zeroes.sender.lastCode();
    expect(sent).toHaveLength(4);
    expect((await zeroes.check({ phoneNumber: E164, code: sent })).status).toBe(200);
  });

  it('refuses an invalid number before touching the store', async () => {
    expect((await h.check({ phoneNumber: '02-123-4567', code })).json.code).toBe('invalid_phone_number');
    expect((await h.check({ phoneNumber: '+44 7400 123456', code })).json.code).toBe('unsupported_country');
    expect((await h.item())?.attempts).toBe(0);
  });
});
