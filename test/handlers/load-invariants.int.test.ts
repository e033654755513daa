import { wrong } from '../support/fakes';
import { dynamoHarness } from '../support/harness';

const NUMBERS = Array.from({ length: 25 }, (_, i) => `+8210${String(20_000_000 + i * 7919).slice(-8)}`);
const count = (xs: unknown[], x: unknown) => xs.filter((y) => y === x).length;
const shuffle = <T>(xs: T[]) =>
  xs
    .map((x) => [Math.random(), x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);

describe('invariants under real concurrency on DynamoDB Local (hundreds of parallel requests, 25 numbers)', () => {
  it('300 simultaneous sends with no cooldown: exactly 5 SMS per number, the rest send_limit_reached', async () => {
    const h = await dynamoHarness({ RESEND_COOLDOWN_SECONDS: '0' });
    const requests = shuffle(NUMBERS.flatMap((n) => Array.from({ length: 12 }, () => n)));
    const answers = await Promise.all(requests.map((phoneNumber) => h.send({ phoneNumber })));
    const codes = answers.map((a) => a.json.code ?? a.status);
    expect(count(codes, 202)).toBe(125);
    expect(count(codes, 'send_limit_reached')).toBe(175);
    for (const n of NUMBERS) {
      expect(h.sender.messages.filter((m) => m.to.e164 === n)).toHaveLength(5);
      expect((await h.item(n))?.sendCount).toBe(5);
    }
  });

  it('370 simultaneous checks: 20 wrong guesses per number → exactly 5 incorrect_code; 10 right ones → exactly one 200', async () => {
    const h = await dynamoHarness();
    await Promise.all(NUMBERS.map((phoneNumber) => h.send({ phoneNumber })));
    const guessers = NUMBERS.slice(0, 13);
    const owners = NUMBERS.slice(13);
    const requests = shuffle([
      ...guessers.flatMap((n) => Array.from({ length: 20 }, () => ({ phoneNumber: n, code: wrong(h.sender.lastCode(n)) }))),
      ...owners.flatMap((n) => Array.from({ length: 10 }, () => ({ phoneNumber: n, code: h.sender.lastCode(n) }))),
    ]);
    const answers = await Promise.all(requests.map(async (body) => ({ n: body.phoneNumber, answer: await h.check(body) })));
    const outcomesOf = (n: string) => answers.filter((a) => a.n === n).map((a) => (a.answer.status === 200 ? 'approved' : a.answer.json.code));
    for (const n of guessers) {
      const outcomes = outcomesOf(n);
      expect(count(outcomes, 'incorrect_code')).toBe(5);
      expect(count(outcomes, 'too_many_attempts')).toBe(15);
      expect((await h.item(n))?.attempts).toBe(5);
    }
    for (const n of owners) {
      const outcomes = outcomesOf(n);
      expect(count(outcomes, 'approved')).toBe(1);
      // Losers of simultaneous right answers: 404 (code gone) or 429 (attempts used up), never a second 200.
      expect(count(outcomes, 'verification_not_found') + count(outcomes, 'too_many_attempts')).toBe(9);
      expect((await h.item(n))?.attempts).toBeLessThanOrEqual(5);
    }
  });

  it('200 simultaneous sends with the 60 s cooldown: exactly one SMS per number', async () => {
    const h = await dynamoHarness();
    const answers = await Promise.all(shuffle(NUMBERS.flatMap((n) => Array.from({ length: 8 }, () => n))).map((phoneNumber) => h.send({ phoneNumber })));
    expect(
      count(
        answers.map((a) => a.status),
        202,
      ),
    ).toBe(25);
    expect(h.sender.messages).toHaveLength(25);
  });
});

describe('a crash between storing the code and sending the SMS', () => {
  it('locks the user out for no longer than the cooldown', async () => {
    const h = await dynamoHarness();
    const { store } = h;
    // The function dies right after the reservation write: a code exists that no SMS carried.
    await store.reserveSend({
      phoneNumber: '+821012345678',
      sendId: 'lost',
      codeHash: 'never-sent',
      now: h.clock.now(),
      codeExpiresAt: h.clock.now() + 300_000,
      maxAttempts: 5,
      cooldownMs: 60_000,
      maxSendsPerWindow: 5,
      channel: 'sms',
      windowMs: 86_400_000,
      inFlightMs: 10_000,
    });
    expect((await h.send({ phoneNumber: '010-1234-5678' })).json.code).toBe('resend_too_soon');
    h.clock.advance(60_000);
    expect((await h.send({ phoneNumber: '010-1234-5678' })).status).toBe(202);
    expect((await h.check({ phoneNumber: '+821012345678', code: h.sender.lastCode() })).status).toBe(200);
  });
});
