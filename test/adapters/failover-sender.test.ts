import { FailoverSender } from '../../functions/adapters/failover-sender';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { SmsDeliveryError, SmsTimeoutError, type SendContext, type SmsSender } from '../../functions/domain/ports';

/**
 * The failover's arithmetic of time and budget, with a hand-moved clock (pure logic: the
 * providers' own behaviour is tested against the stand-ins in failover.test.ts).
 */
const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));
const recorder = { attempt: () => undefined, failover: () => undefined };

function setUp(firstTakesMs: number) {
  let clock = 0;
  const asked: Array<[string, number]> = [];
  const provider = (name: string, takesMs: number, refuses: boolean): SmsSender => ({
    provider: name,
    async send(_message, context) {
      asked.push([name, context?.timeoutMs ?? -1]);
      clock += takesMs;
      if (refuses) throw new SmsDeliveryError(`${name} refused`);
      return {};
    },
  });
  let budgetTaken = 0;
  const context: SendContext = { timeoutMs: 500, code: '123456', expiresAt: '', codeTtlSeconds: 300, beforeFailover: async () => ((budgetTaken += 1), true) };
  const sender = new FailoverSender([provider('sens', firstTakesMs, true), provider('aws', 10, false)], recorder, () => clock);
  return { sender, context, asked, budget: () => budgetTaken };
}

describe('FailoverSender: SMS_TIMEOUT_MS for the whole send, the budget per provider asked', () => {
  it('gives the next provider what is left of the time', async () => {
    const { sender, context, asked, budget } = setUp(200);
    expect(await sender.send({ channel: 'sms', to, text: 'x' }, context)).toMatchObject({ provider: 'aws', channel: 'sms' });
    expect(asked).toEqual([
      ['sens', 500],
      ['aws', 300],
    ]);
    expect(budget()).toBe(1);
  });

  it('asks nobody else, and takes no budget, when the first used all the time', async () => {
    const { sender, context, asked, budget } = setUp(500);
    const error = await sender.send({ channel: 'sms', to, text: 'x' }, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsDeliveryError);
    expect(String(error)).toContain('no time left for aws');
    expect(asked.map(([name]) => name)).toEqual(['sens']);
    expect(budget()).toBe(0);
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
    const error = await new FailoverSender([buggy, next], recorder).send({ channel: 'sms', to, text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsTimeoutError);
    expect(error).toMatchObject({ provider: 'aws', channel: 'sms' });
    expect(asked).toEqual(['aws']);
  });
});
