import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/runtime';
import { wrong } from '../support/fakes';
import { dynamoHarness, type Harness } from '../support/harness';

const E164 = '+821012345678';
const HOUR = 3_600_000;
const db = () => documentClient({ dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT ?? '' }, {}, { connectionMs: 10_000, requestMs: 30_000 });

/** Sets attributes on the number's item, as a long history of wrong guesses would have left them. */
async function preset(h: Harness, values: Record<string, number | boolean>): Promise<void> {
  const names = Object.fromEntries(Object.keys(values).map((k) => [`#${k}`, k]));
  const placeholders = Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v]));
  await db().send(
    new UpdateCommand({
      TableName: h.tableName,
      Key: { phoneNumber: E164 },
      UpdateExpression: `SET ${Object.keys(values)
        .map((k) => `#${k} = :${k}`)
        .join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: placeholders,
    }),
  );
}

/** The failed-guess streak and lock (docs/limits.md; NIST SP 800-63B-4 §3.2.2), through the handlers on DynamoDB Local. */
describe('the failed-guess streak and its lock', () => {
  const guess = (h: Harness, code: string) => h.check({ phoneNumber: E164, code });
  const wrongGuess = (h: Harness) => guess(h, wrong(h.sender.lastCode()));

  it('locks exactly once when 50 wrong guesses race over two codes with the streak 3 short of the limit', async () => {
    const h = await dynamoHarness({ RESEND_COOLDOWN_SECONDS: '0' });
    await h.send({ phoneNumber: E164 });
    const firstCode = h.sender.lastCode();
    await preset(h, { streak: 47 });
    // 25 guesses at the first code, a new code, 25 at whatever is pending then, all at once.
    const codes: string[] = [];
    const record = async (answer: Promise<{ json: Record<string, unknown> }>) => codes.push(String((await answer).json.code));
    await Promise.all([
      ...Array.from({ length: 25 }, () => record(guess(h, wrong(firstCode)))),
      h.send({ phoneNumber: E164 }),
      ...Array.from({ length: 25 }, () => record(guess(h, '000000' === h.sender.lastCode() ? '111111' : '000000'))),
    ]);
    expect(codes).toHaveLength(50);
    expect(codes.every((c) => ['incorrect_code', 'too_many_attempts', 'verification_locked', 'verification_not_found'].includes(c))).toBe(true);
    // Every evaluated wrong guess counted once, and only the one that reached 50 locked.
    const counted = codes.filter((c) => c === 'incorrect_code').length;
    expect(counted).toBeGreaterThanOrEqual(3);
    expect(counted).toBeLessThanOrEqual(10);
    expect(await h.item()).toMatchObject({ streak: 47 + counted, lockCount: 1, lockedUntil: h.clock.now() + HOUR });
    const send = await h.send({ phoneNumber: E164 });
    expect({ status: send.status, code: send.json.code, retryAfter: send.headers['Retry-After'] }).toEqual({
      status: 429,
      code: 'verification_locked',
      retryAfter: '3600',
    });
  });

  it('tells the guesses left before the lock when they are fewer than the code’s checks', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    await preset(h, { streak: 47 });
    expect((await wrongGuess(h)).json).toMatchObject({ code: 'incorrect_code', attemptsRemaining: 2 });
  });

  it('never counts a right guess: an approval one short of the limit does not lock, and ends the streak', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    await preset(h, { streak: 49 });
    expect((await guess(h, h.sender.lastCode())).status).toBe(200);
    const item = await h.item();
    expect(item).toMatchObject({ streak: 0, lockCount: 0 });
    expect(item?.lockedUntil).toBeUndefined();
  });

  it('locks for an hour, then twice as long at the first wrong guess after each lock ends (the test clock)', async () => {
    const h = await dynamoHarness({ RESEND_COOLDOWN_SECONDS: '0' });
    await h.send({ phoneNumber: E164 });
    await preset(h, { streak: 49 });
    expect((await wrongGuess(h)).json).toMatchObject({ code: 'incorrect_code', attemptsRemaining: 0 });
    const locked = await guess(h, h.sender.lastCode());
    expect({ code: locked.json.code, retryAfter: locked.headers['Retry-After'] }).toEqual({ code: 'verification_locked', retryAfter: '3600' });
    h.clock.advance(HOUR + 1);
    expect((await h.send({ phoneNumber: E164 })).status).toBe(202); // the lock ended; the streak did not
    expect((await h.item())?.streak).toBe(50);
    await wrongGuess(h);
    const again = await h.send({ phoneNumber: E164 });
    expect({ code: again.json.code, retryAfter: again.headers['Retry-After'] }).toEqual({ code: 'verification_locked', retryAfter: '7200' });
    expect(await h.item()).toMatchObject({ lockCount: 2 });
  });

  it('keeps the streak through a new daily window and a refused SMS (502), and waiting does not end it', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    await preset(h, { streak: 10 });
    await wrongGuess(h);
    expect((await h.item())?.ttl).toBe(Math.ceil((h.clock.now() + 90 * 24 * HOUR) / 1000));
    h.clock.advance(25 * HOUR);
    h.sender.mode = 'refuse';
    expect((await h.send({ phoneNumber: E164 })).status).toBe(502);
    h.sender.mode = 'ok';
    expect((await h.send({ phoneNumber: E164 })).status).toBe(202);
    expect(await h.item()).toMatchObject({ streak: 11, sendCount: 1 });
  });

  it('at 100 wrong guesses in a row locks for good: no Retry-After, no TTL, sends refused too', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    await preset(h, { streak: 99, lockCount: 5, lockedUntil: h.clock.now() - 1 });
    await wrongGuess(h);
    const item = await h.item();
    expect(item).toMatchObject({ streak: 100, permanentLock: true, lockCount: 6 });
    expect(item?.ttl).toBeUndefined();
    const check = await guess(h, h.sender.lastCode());
    expect({ status: check.status, code: check.json.code, retryAfter: check.headers['Retry-After'] }).toEqual({
      status: 429,
      code: 'verification_locked',
      retryAfter: undefined,
    });
    h.clock.advance(30 * 24 * HOUR); // a month later: still locked, until an operator lifts it
    const send = await h.send({ phoneNumber: E164 });
    expect({ status: send.status, code: send.json.code, retryAfter: send.headers['Retry-After'] }).toEqual({
      status: 429,
      code: 'verification_locked',
      retryAfter: undefined,
    });
  });

  it('racing wrong guesses at 99, 100 and 101: whenever the streak reached 100 the lock is for good, with no end and no TTL', async () => {
    for (let trial = 0; trial < 5; trial += 1) {
      const h = await dynamoHarness({ MAX_FAILED_GUESSES: '99' });
      await h.send({ phoneNumber: E164 });
      await preset(h, { streak: 98 });
      const answers = await Promise.all(Array.from({ length: 3 }, () => wrongGuess(h)));
      const counted = answers.filter((a) => a.json.code === 'incorrect_code').length;
      const item = await h.item();
      expect(item?.streak).toBe(98 + counted);
      if (counted >= 2) {
        expect(item).toMatchObject({ permanentLock: true });
        expect({ lockedUntil: item?.lockedUntil, ttl: item?.ttl }).toEqual({ lockedUntil: undefined, ttl: undefined });
      } else expect(item?.lockedUntil).toBe(h.clock.now() + HOUR);
    }
  });

  it('locks a test number too (its fixed code is the one most worth guessing), and a check with nothing pending still answers 404', async () => {
    const h = await dynamoHarness({ TEST_NUMBERS: `${E164}=123456`, MAX_FAILED_GUESSES: '2' });
    await h.send({ phoneNumber: E164 });
    await guess(h, '000000');
    await guess(h, '000001');
    expect((await h.send({ phoneNumber: E164 })).json.code).toBe('verification_locked');
    expect((await guess(h, '123456')).json.code).toBe('verification_locked');
    h.clock.advance(300_001); // the code expired; the lock (an hour) holds
    expect((await guess(h, '123456')).json.code).toBe('verification_not_found');
  });
});
