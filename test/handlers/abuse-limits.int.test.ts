import { dynamoHarness } from '../support/harness';
import { withoutSeq } from '../support/items';

const HOUR = 3_600_000;
/** 200 numbers, each in a range of its own (all but the last 4 digits differ). */
const spread = (i: number) => `+8210${5000 + i}1234`;
/** Numbers of one range: they share all but their last 4 digits. */
const sameRange = (i: number) => `+82107777${String(1000 + i)}`;
const count = (xs: unknown[], x: unknown) => xs.filter((y) => y === x).length;

describe('the hourly SMS budget and the number-range limit, exact under concurrency on DynamoDB Local', () => {
  it('budget 20: 200 simultaneous sends to 200 numbers give exactly 20 SMS and 180 sms_budget_exhausted', async () => {
    const h = await dynamoHarness({ SMS_BUDGET_PER_HOUR: '20' });
    const numbers = Array.from({ length: 200 }, (_, i) => spread(i));
    const answers = await Promise.all(numbers.map((phoneNumber) => h.send({ phoneNumber })));
    const codes = answers.map((a) => a.json.code ?? a.status);
    expect({ sent: count(codes, 202), refused: count(codes, 'sms_budget_exhausted') }).toEqual({ sent: 20, refused: 180 });
    expect(h.sender.messages).toHaveLength(20);
    // Refused numbers are left with nothing; Retry-After runs to the end of the clock hour.
    const refused = numbers.filter((_, i) => answers[i]?.status === 429);
    for (const n of refused.slice(0, 20)) expect(await h.item(n)).toBeUndefined();
    const toHourEnd = Math.ceil((Math.floor(h.clock.now() / HOUR) * HOUR + HOUR - h.clock.now()) / 1000);
    expect(answers.find((a) => a.status === 429)?.headers['Retry-After']).toBe(String(toHourEnd));
  });

  it('range limit 5: 50 simultaneous sends to 50 numbers of one range give exactly 5 SMS', async () => {
    const h = await dynamoHarness({ MAX_SENDS_PER_PREFIX_PER_HOUR: '5' });
    const numbers = Array.from({ length: 50 }, (_, i) => sameRange(i));
    const answers = await Promise.all(numbers.map((phoneNumber) => h.send({ phoneNumber })));
    const codes = answers.map((a) => a.json.code ?? a.status);
    expect({ sent: count(codes, 202), refused: count(codes, 'number_range_limited') }).toEqual({ sent: 5, refused: 45 });
    expect(h.sender.messages).toHaveLength(5);
    for (const n of numbers.filter((_, i) => answers[i]?.status === 429)) expect(await h.item(n)).toBeUndefined();
    // Another range is untouched by this one.
    expect((await h.send({ phoneNumber: spread(1) })).status).toBe(202);
  });

  it('a refused send leaves a number that had a pending code exactly as it was', async () => {
    const h = await dynamoHarness({ SMS_BUDGET_PER_HOUR: '1', RESEND_COOLDOWN_SECONDS: '0' });
    expect((await h.send({ phoneNumber: spread(0) })).status).toBe(202);
    const before = await h.item(spread(0));
    expect((await h.send({ phoneNumber: spread(0) })).json.code).toBe('sms_budget_exhausted');
    expect(withoutSeq(await h.item(spread(0)))).toEqual(withoutSeq(before));
  });

  it('a cooldown refusal spends no budget; a provider refusal (502) does; the next clock hour starts afresh', async () => {
    const h = await dynamoHarness({ SMS_BUDGET_PER_HOUR: '3' });
    expect((await h.send({ phoneNumber: spread(0) })).status).toBe(202); // 1
    expect((await h.send({ phoneNumber: spread(0) })).json.code).toBe('resend_too_soon'); // not counted
    h.sender.mode = 'refuse';
    expect((await h.send({ phoneNumber: spread(1) })).status).toBe(502); // 2: the provider was asked
    h.sender.mode = 'ok';
    expect((await h.send({ phoneNumber: spread(2) })).status).toBe(202); // 3
    expect((await h.send({ phoneNumber: spread(3) })).json.code).toBe('sms_budget_exhausted');
    h.clock.current = Math.floor(h.clock.now() / HOUR) * HOUR + HOUR;
    expect((await h.send({ phoneNumber: spread(3) })).status).toBe(202);
  });

  it('the range limit answers before the budget, and hands the budget back', async () => {
    const h = await dynamoHarness({ SMS_BUDGET_PER_HOUR: '2', MAX_SENDS_PER_PREFIX_PER_HOUR: '1' });
    expect((await h.send({ phoneNumber: sameRange(0) })).status).toBe(202);
    expect((await h.send({ phoneNumber: sameRange(1) })).json.code).toBe('number_range_limited');
    // The budget of 2 still has room for one: the refused send took none of it.
    expect((await h.send({ phoneNumber: spread(0) })).status).toBe(202);
    expect((await h.send({ phoneNumber: spread(1) })).json.code).toBe('sms_budget_exhausted');
  });

  it('0 turns both off', async () => {
    const h = await dynamoHarness({ SMS_BUDGET_PER_HOUR: '0', MAX_SENDS_PER_PREFIX_PER_HOUR: '0' });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => h.send({ phoneNumber: sameRange(i) })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 40 }, () => 202));
  });
});
