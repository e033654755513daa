import { FailoverSender } from '../../functions/adapters/failover-sender';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { SmsDeliveryError, SmsTimeoutError, type SendContext, type SmsSender } from '../../functions/domain/ports';

/**
 * The failover's arithmetic of time and budget, with a hand-moved clock (pure logic: the
 * providers' own behaviour is tested against the stand-ins in failover.test.ts).
 */
const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));
function setUp(firstTakesMs: number, options: { budgetTakesMs?: number; secondRefuses?: boolean; budget?: () => Promise<boolean> } = {}) {
  let clock = 0;
  const asked: Array<[string, number]> = [];
  const ttls: number[] = [];
  const provider = (name: string, takesMs: number, refuses: boolean): SmsSender => ({
    provider: name,
    async send(_message, context) {
      asked.push([name, context?.timeoutMs ?? -1]);
      ttls.push(context?.codeTtlMs ?? -1);
      clock += takesMs;
      if (refuses) throw new SmsDeliveryError(`${name} refused`);
      return {};
    },
  });
  const budgetAsked: number[] = [];
  const context: SendContext = {
    timeoutMs: 500,
    code: '123456',
    expiresAt: '',
    codeTtlMs: 300_000,
    beforeFailover: async (leftMs) => {
      budgetAsked.push(leftMs);
      clock += options.budgetTakesMs ?? 0;
      return options.budget ? options.budget() : true;
    },
  };
  let failovers = 0;
  const recorder = { attempt: () => undefined, failover: () => (failovers += 1) };
  const sender = new FailoverSender([provider('sens', firstTakesMs, true), provider('aws', 10, options.secondRefuses ?? false)], recorder, () => clock);
  return { sender, context, asked, ttls, budgetAsked, failovers: () => failovers };
}
const recorder = { attempt: () => undefined, failover: () => undefined };
const sms = { channel: 'sms', to, text: 'x' } as const;

describe('FailoverSender: SMS_TIMEOUT_MS for the whole send, the budget per provider asked', () => {
  it('gives the next provider, and the budget write before it, what is left of the time', async () => {
    const { sender, context, asked, budgetAsked } = setUp(200);
    expect(await sender.send(sms, context)).toMatchObject({ provider: 'aws', channel: 'sms' });
    expect(asked).toEqual([
      ['sens', 500],
      ['aws', 300],
    ]);
    expect(budgetAsked).toEqual([300]);
  });

  it('asks nobody else, and takes no budget, when the first used all the time', async () => {
    const { sender, context, asked, budgetAsked } = setUp(500);
    const error = await sender.send(sms, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsDeliveryError);
    expect(String(error)).toContain('left for aws: not asked');
    expect(asked.map(([name]) => name)).toEqual(['sens']);
    expect(budgetAsked).toEqual([]);
  });

  it('asks no provider with under 200 ms left, and pays no budget for it', async () => {
    const { sender, context, asked, budgetAsked } = setUp(301);
    await expect(sender.send(sms, context)).rejects.toThrow(/under 200 ms of SMS_TIMEOUT_MS left for aws/);
    expect(asked.map(([name]) => name)).toEqual(['sens']);
    expect(budgetAsked).toEqual([]);
  });

  it('asks nobody when the budget write left under 200 ms (the message was paid for: it counts)', async () => {
    const { sender, context, asked, budgetAsked } = setUp(100, { budgetTakesMs: 250 });
    await expect(sender.send(sms, context)).rejects.toThrow(/under 200 ms of SMS_TIMEOUT_MS left for aws/);
    expect(asked.map(([name]) => name)).toEqual(['sens']);
    expect(budgetAsked).toEqual([400]);
  });

  it('stops at a budget write cut off by the time (counted as charged): a refusal, nobody else asked', async () => {
    const cutOff = async (): Promise<boolean> => Promise.reject(new SmsDeliveryError('the hourly budget could not be counted within SMS_TIMEOUT_MS'));
    const { sender, context, asked } = setUp(100, { budget: cutOff });
    await expect(sender.send(sms, context)).rejects.toThrow(/could not be counted within SMS_TIMEOUT_MS/);
    expect(asked.map(([name]) => name)).toEqual(['sens']);
  });

  it('counts SmsFailover whenever a second provider was asked, whatever it answered', async () => {
    const refused = setUp(100, { secondRefuses: true });
    await expect(refused.sender.send(sms, refused.context)).rejects.toThrow(SmsDeliveryError);
    expect(refused.failovers()).toBe(1);
    const accepted = setUp(100);
    await accepted.sender.send(sms, accepted.context);
    expect(accepted.failovers()).toBe(1);
    const notAsked = setUp(500);
    await expect(notAsked.sender.send(sms, notAsked.context)).rejects.toThrow(SmsDeliveryError);
    expect(notAsked.failovers()).toBe(0);
  });

  it('tells each provider the code’s time left as it is asked: less, after a failover', async () => {
    const { sender, context, ttls } = setUp(200);
    await sender.send(sms, context);
    expect(ttls).toEqual([300_000, 299_800]);
  });

  it('a sender error that is neither refusal nor timeout (a bug, after the request may have gone) is a 504: nobody else is asked', async () => {
    const asked: string[] = [];
    const buggy: SmsSender = {
      provider: 'aws',
      async send() {
        asked.push('aws');
        throw new TypeError("Cannot read properties of undefined (reading 'MessageId')");
      },
    };
    const next: SmsSender = { provider: 'lambda', send: async () => (asked.push('lambda'), {}) };
    const error = await new FailoverSender([buggy, next], recorder).send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsTimeoutError);
    expect(error).toMatchObject({ provider: 'aws', channel: 'sms' });
    expect(asked).toEqual(['aws']);
  });
});
