import { decodeJwt } from 'jose';
import { verifyPhoneToken } from 'phone-verify';
import { wrong } from '../support/fakes';
import { dynamoHarness } from '../support/harness';
import { testJwks } from '../support/token-keys';

const REVIEW = { phoneNumber: '+82 10-1234-0000' };
const E164 = '+821012340000';
const env = { TEST_NUMBERS: '+821012340000=123456, 010-1234-0001=000001', SMS_BUDGET_PER_HOUR: '1', MAX_SENDS_PER_PREFIX_PER_HOUR: '1' };

describe('test numbers for app-store review (docs/test-numbers.md)', () => {
  it('answer 202 with nothing sent and nothing charged, even under 50 concurrent sends', async () => {
    const h = await dynamoHarness(env);
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.send(REVIEW)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 202));
    expect(answers[0]?.json).toMatchObject({ status: 'pending', phoneNumber: E164, channel: 'sms' });
    expect(h.sender.messages).toEqual([]);
    const item = await h.item(E164);
    expect(item).toMatchObject({ codeHash: expect.any(String), attempts: 0 });
    expect(item?.sendCount).toBeUndefined(); // no daily cap, no cooldown charged
    // The budget of 1 and the range limit of 1 are untouched: a real number still gets its SMS.
    expect((await h.send({ phoneNumber: '010-5555-1234' })).status).toBe(202);
    expect(h.sender.messages).toHaveLength(1);
  });

  it('check the fixed code with attempts, single use and the test_number claim', async () => {
    const h = await dynamoHarness(env);
    await h.send(REVIEW);
    const miss = await h.check({ phoneNumber: E164, code: wrong('123456') });
    expect(miss.json).toMatchObject({ code: 'incorrect_code', attemptsRemaining: 4 });
    const approved = await h.check({ phoneNumber: E164, code: '123456' });
    expect(approved.status).toBe(200);
    expect(approved.json).not.toHaveProperty('testNumber');
    const token = String(approved.json.token);
    expect(decodeJwt(token)).toMatchObject({ phone_number: E164, test_number: true });
    const verified = await verifyPhoneToken(token, { keys: await testJwks(), issuer: 'phone-verify/local', currentDate: new Date(h.clock.now()) });
    expect(verified.testNumber).toBe(true);
    expect((await h.check({ phoneNumber: E164, code: '123456' })).json.code).toBe('verification_not_found'); // single use
  });

  it('expire like any code, and a real number never carries the claim', async () => {
    const h = await dynamoHarness(env);
    await h.send(REVIEW);
    h.clock.advance(300_001);
    expect((await h.check({ phoneNumber: E164, code: '123456' })).json.code).toBe('verification_not_found');
    await h.send({ phoneNumber: '010-5555-1234' });
    const real = await h.check({ phoneNumber: '+821055551234', code: h.sender.lastCode('+821055551234') });
    expect(decodeJwt(String(real.json.token))).not.toHaveProperty('test_number');
    const verified = await verifyPhoneToken(String(real.json.token), {
      keys: await testJwks(),
      issuer: 'phone-verify/local',
      currentDate: new Date(h.clock.now()),
    });
    expect(verified.testNumber).toBe(false);
  });

  it('after the attempts are used up, even the fixed code is refused until the next send', async () => {
    const h = await dynamoHarness({ ...env, MAX_CHECK_ATTEMPTS: '2' });
    await h.send(REVIEW);
    await h.check({ phoneNumber: E164, code: wrong('123456') });
    await h.check({ phoneNumber: E164, code: wrong('123456') });
    expect((await h.check({ phoneNumber: E164, code: '123456' })).json.code).toBe('too_many_attempts');
    await h.send(REVIEW);
    expect((await h.check({ phoneNumber: E164, code: '123456' })).status).toBe(200);
  });

  it('replay a send retried with the same Idempotency-Key byte for byte, with Idempotent-Replayed, as for any number', async () => {
    const h = await dynamoHarness(env);
    const key = { 'Idempotency-Key': 'review-retry-1' };
    const first = await h.send(REVIEW, key);
    h.clock.advance(5_000);
    const again = await h.send(REVIEW, key);
    expect(again.status).toBe(202);
    expect(JSON.stringify(again.json)).toBe(JSON.stringify(first.json));
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    const other = await h.send(REVIEW, { 'Idempotency-Key': 'review-retry-2' });
    expect(other.headers['Idempotent-Replayed']).toBeUndefined();
    expect(other.json.expiresAt).not.toBe(first.json.expiresAt);
    expect(h.sender.messages).toEqual([]);
  });
});
