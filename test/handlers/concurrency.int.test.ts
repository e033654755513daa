import { wrong } from '../support/fakes';
import { dynamoHarness } from '../support/harness';

const E164 = '+821012345678';
const tally = (statuses: unknown[]) => statuses.reduce<Record<string, number>>((t, s) => ({ ...t, [String(s)]: (t[String(s)] ?? 0) + 1 }), {});

describe('rules that hold under concurrency (real DynamoDB Local)', () => {
  it('20 simultaneous wrong guesses: exactly 5 incorrect_code, the rest too_many_attempts', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    const bad = wrong(h.sender.lastCode());
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.check({ phoneNumber: E164, code: bad })));
    expect(tally(answers.map((a) => a.json.code))).toEqual({ incorrect_code: 5, too_many_attempts: 15 });
    expect((await h.item())?.attempts).toBe(5);
  });

  it('10 simultaneous right answers: exactly one 200, the others 404 or 429', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    const code = h.sender.lastCode();
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.check({ phoneNumber: E164, code })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 404 || s === 429)).toBe(true);
  });

  it('200 simultaneous guesses with the right code among them: at most 5 compared (incorrect_code or 200 together), at most one 200', async () => {
    // Would catch a check that compares the guess inside a write that does not also spend the
    // attempt: every concurrent guess would then be compared before any attempt was counted.
    for (let round = 0; round < 3; round += 1) {
      const h = await dynamoHarness();
      await h.send({ phoneNumber: E164 });
      const code = h.sender.lastCode();
      const guesses = Array.from({ length: 200 }, (_, i) => (i === 100 + round * 37 ? code : wrong(code)));
      const answers = await Promise.all(guesses.map((c) => h.check({ phoneNumber: E164, code: c })));
      const outcomes = tally(answers.map((a) => (a.status === 200 ? 'approved' : a.json.code)));
      expect((outcomes.incorrect_code ?? 0) + (outcomes.approved ?? 0)).toBeLessThanOrEqual(5);
      expect(outcomes.approved ?? 0).toBeLessThanOrEqual(1);
      expect((outcomes.too_many_attempts ?? 0) + (outcomes.verification_not_found ?? 0)).toBe(200 - (outcomes.incorrect_code ?? 0) - (outcomes.approved ?? 0));
      expect((await h.item())?.attempts).toBeLessThanOrEqual(5);
    }
  });

  it('a check is one write whatever the answer: the right code is consumed by the write that counts it', async () => {
    const h = await dynamoHarness();
    await h.send({ phoneNumber: E164 });
    const code = h.sender.lastCode();
    expect((await h.check({ phoneNumber: E164, code })).status).toBe(200);
    const item = await h.item();
    expect(item?.lastGuessHash).toBe(item?.codeHash); // approved: no longer pending
    expect((await h.check({ phoneNumber: E164, code })).json.code).toBe('verification_not_found');
    expect((await h.item())?.attempts).toBe(1); // the refused second check spent nothing
  });

  it('8 simultaneous sends to one number: exactly one SMS', async () => {
    const h = await dynamoHarness();
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.send({ phoneNumber: E164 })));
    expect(tally(answers.map((a) => a.status))).toEqual({ 202: 1, 429: 7 });
    expect(h.sender.messages).toHaveLength(1);
    expect((await h.item())?.sendCount).toBe(1);
  });

  it('with no cooldown, 12 simultaneous sends stop at the daily cap of 5', async () => {
    const h = await dynamoHarness({ RESEND_COOLDOWN_SECONDS: '0' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => h.send({ phoneNumber: E164 })));
    expect(tally(answers.map((a) => a.json.code ?? a.status))).toEqual({ 202: 5, send_limit_reached: 7 });
    expect(h.sender.messages).toHaveLength(5);
  });
});
