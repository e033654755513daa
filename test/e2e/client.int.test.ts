import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { verifyPhoneToken } from 'phone-verify';
import { documentClient } from '../../functions/runtime';
import { createPhoneVerifyClient, type PhoneVerifyClient, type ProblemCode } from '../../client';
import { startLocalServer, until, type LocalServer } from '../support/local-server';
import { codeIn, sensEnv, startSens, type SensEmulator } from '../support/sens';

/**
 * phone-verify/client against `npm start`: the whole flow and every problem a caller of the
 * client can meet there: with SMS printed, and texting through the SENS emulator (its failures).
 * Transport problems (404/405/413/415) cannot come from the client, which always posts JSON to
 * the two routes; a DynamoDB outage (503) is the handlers' tests' (test/handlers/).
 */
describe('phone-verify/client against npm start', () => {
  const tableName = `client-${randomUUID()}`;
  let server: LocalServer;
  let client: PhoneVerifyClient;
  beforeAll(async () => {
    server = await startLocalServer({
      // The shared DynamoDB Local, on tables of this server's own, so a test can set a number's
      // state up instead of waiting out a real cooldown.
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
      TABLE_NAME: tableName,
      LIMITS_TABLE_NAME: `client-limits-${randomUUID()}`,
      MAX_SENDS_PER_DAY: '2',
      MAX_SENDS_PER_PREFIX_PER_HOUR: '3',
      SMS_BUDGET_PER_HOUR: '14',
    });
    client = createPhoneVerifyClient({ baseUrl: `${server.base}/` });
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  }, 30_000);

  const smsCount = () => server.output().match(/인증번호 \[/g)?.length ?? 0;
  const problemOf = (result: { ok: true } | { ok: false; problem: { code: ProblemCode } }) => (result.ok ? 'ok' : result.problem.code);

  it('walks the flow: send, a wrong code (attempts left), the right code, a token the verifier accepts', async () => {
    const sent = await client.sendCode('010-2000-0001');
    if (!sent.ok) throw new Error(`send refused: ${sent.problem.code}`);
    expect(sent.data).toMatchObject({ status: 'pending', phoneNumber: '+821020000001', channel: 'sms', replayed: false });
    expect(sent.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const code = server.lastCode()!;

    const wrong = await client.checkCode(sent.data.phoneNumber, code === '000000' ? '111111' : '000000');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok && wrong.problem.code === 'incorrect_code') {
      // Narrowed by `code`: attemptsRemaining is part of this problem.
      expect(wrong.problem).toMatchObject({ status: 400, attemptsRemaining: 4 });
      expect(wrong.problem.requestId).toMatch(/^[0-9a-f-]{36}$/);
    } else throw new Error(`expected incorrect_code, got ${problemOf(wrong)}`);

    const checked = await client.checkCode(sent.data.phoneNumber, code);
    if (!checked.ok) throw new Error(`check refused: ${checked.problem.code}`);
    const verified = await verifyPhoneToken(checked.data.token, { jwksUrl: `${server.base}/.well-known/jwks.json`, issuer: 'phone-verify/local' });
    expect(verified.phoneNumber).toBe('+821020000001');
  });

  it('refuses bad input with its exact code', async () => {
    expect(problemOf(await client.sendCode('010-12'))).toBe('invalid_phone_number');
    expect(problemOf(await client.sendCode('+1 202 555 0143'))).toBe('unsupported_country');
    expect(problemOf(await client.sendCode('010-2000-0002', { channel: 'alimtalk' }))).toBe('unsupported_channel');
    expect(problemOf(await client.sendCode('010-2000-0002', { idempotencyKey: ' ' }))).toBe('invalid_request');
    expect(problemOf(await client.checkCode('010-2000-0002', 'abc'))).toBe('invalid_request');
    expect(problemOf(await client.checkCode('010-2000-0003', '123456'))).toBe('verification_not_found');
  });

  it('says when to come back (resend_too_soon, send_limit_reached) without retrying a 429', async () => {
    const firstAt = Date.now();
    expect(problemOf(await client.sendCode('010-3000-0001'))).toBe('ok');
    const before = smsCount();
    const tooSoon = await client.sendCode('010-3000-0001');
    expect(tooSoon).toMatchObject({ ok: false, problem: { code: 'resend_too_soon', status: 429 } });
    // The 60 s cooldown less what has passed since the first send (seconds on a busy machine).
    const passed = Math.ceil((Date.now() - firstAt) / 1000);
    if (!tooSoon.ok) expect(tooSoon.problem.retryAfterSeconds).toBeGreaterThanOrEqual(60 - passed - 1);
    if (!tooSoon.ok) expect(tooSoon.problem.retryAfterSeconds).toBeLessThanOrEqual(60);
    // A number that already had its 2 sends today, the last 2 minutes ago (no wait for a real cooldown).
    const now = Date.now();
    const db = documentClient({ dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT }, {}, { connectionMs: 10_000, requestMs: 30_000 });
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { phoneNumber: '+821030000002', windowStart: now - 600_000, sendCount: 2, lastSentAt: now - 120_000, ttl: Math.ceil((now + 86_400_000) / 1000) },
      }),
    );
    const capped = await client.sendCode('010-3000-0002');
    expect(capped).toMatchObject({ ok: false, problem: { code: 'send_limit_reached', status: 429 } });
    if (!capped.ok) expect(capped.problem.retryAfterSeconds).toBeGreaterThan(60);
    expect(smsCount()).toBe(before);
  });

  it('ends a code after its last attempt: too_many_attempts', async () => {
    expect(problemOf(await client.sendCode('010-4000-0001'))).toBe('ok');
    const code = server.lastCode()!;
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(problemOf(await client.checkCode('+821040000001', wrong)));
    expect(answers).toEqual(['incorrect_code', 'incorrect_code', 'incorrect_code', 'incorrect_code', 'incorrect_code', 'too_many_attempts']);
    expect(problemOf(await client.checkCode('+821040000001', code))).toBe('too_many_attempts');
  });

  it('sends one SMS for one Idempotency-Key, however many times it is tried at once (409s are waited out)', async () => {
    const before = smsCount();
    const results = await Promise.all([1, 2, 3].map(() => client.sendCode('010-5000-0001', { idempotencyKey: 'checkout-42' })));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results.filter((r) => r.ok && r.data.replayed)).toHaveLength(2);
    expect(smsCount()).toBe(before + 1);
  });

  it('speaks Korean when asked', async () => {
    const korean = createPhoneVerifyClient({ baseUrl: server.base, language: 'ko' });
    const refused = await korean.sendCode('010-12');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problem.detail).toMatch(/[가-힣]/);
  });

  it('caps the numbers of one range per hour: number_range_limited', async () => {
    const answers = [];
    for (const last of ['0001', '0002', '0003', '0004']) answers.push(problemOf(await client.sendCode(`010-6000-${last}`)));
    expect(answers).toEqual(['ok', 'ok', 'ok', 'number_range_limited']);
  });

  // Last: it spends the server's hourly budget for everyone.
  it('stops at the hourly SMS budget: sms_budget_exhausted', async () => {
    const answers: string[] = [];
    for (let n = 0; n < 20 && answers.at(-1) !== 'sms_budget_exhausted'; n++)
      answers.push(problemOf(await client.sendCode(`010-7${String(n).padStart(3, '0')}-0001`)));
    expect(answers.at(-1)).toBe('sms_budget_exhausted');
    expect(smsCount()).toBe(14);
  });
});

describe('phone-verify/client against npm start texting through the SENS emulator', () => {
  let sens: SensEmulator;
  let server: LocalServer;
  beforeAll(async () => {
    sens = await startSens();
    server = await startLocalServer(sensEnv(sens, 1000));
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await sens?.close();
  }, 30_000);

  it('walks the flow with the code SENS was given', async () => {
    sens.mode = 'ok';
    const client = createPhoneVerifyClient({ baseUrl: server.base });
    const sent = await client.sendCode('010-8000-0001');
    expect(sent.ok).toBe(true);
    const checked = await client.checkCode('010-8000-0001', codeIn(sens.accepted.at(-1)?.content) ?? '');
    expect(checked.ok).toBe(true);
  });

  it('answers a refused SMS with sms_delivery_failed, not retried', async () => {
    sens.mode = 'fail500';
    const before = sens.requests;
    const refused = await createPhoneVerifyClient({ baseUrl: server.base }).sendCode('010-8000-0002');
    expect(refused).toMatchObject({ ok: false, problem: { code: 'sms_delivery_failed', status: 502 } });
    expect(sens.requests).toBe(before + 1);
  });

  it('while one send waits on SENS, the same key again is request_in_progress; the wait ends in sms_provider_timeout', async () => {
    sens.mode = 'hang';
    const once = createPhoneVerifyClient({ baseUrl: server.base, retries: 0 });
    const reached = sens.requests;
    const first = once.sendCode('010-8000-0003', { idempotencyKey: 'hang-1' });
    await until(() => sens.requests > reached); // the code is reserved and SENS holds the request
    const second = once.sendCode('010-8000-0003', { idempotencyKey: 'hang-1' });
    const codes = (await Promise.all([first, second])).map((r) => (r.ok ? 'ok' : r.problem.code)).sort();
    expect(codes).toEqual(['request_in_progress', 'sms_provider_timeout']);
  });

  // Last: SENS refused nothing the server sent it but the one fault injected above.
  it('sent SENS nothing it refused, apart from the injected 500', () => {
    expect(sens.requests).toBeGreaterThanOrEqual(3);
    expect(sens.refusals).toEqual(['internal error (injected)']);
  });
});
