import { AwsSmsSender, awsSmsClient } from '../../functions/adapters/aws-sms-sender';
import { FailoverSender, type AttemptOutcome } from '../../functions/adapters/failover-sender';
import { LambdaSmsSender, lambdaClient } from '../../functions/adapters/lambda-sms-sender';
import { SensSmsSender } from '../../functions/adapters/sens-sms-sender';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { SmsDeliveryError, SmsTimeoutError, type SmsMessage } from '../../functions/domain/ports';
import { awsClientTarget, useAws, type AwsEmulator } from '../support/aws';
import { FaultProxy } from '../support/fault-proxy';
import { ALIMTALK_TEST, SENS_TEST_CREDENTIALS, startSens, type SensEmulator } from '../support/sens';

/**
 * What a provider's answer means when the network between breaks it (docs/channels.md,
 * "Providers and failover"): each sender against its vendored stand-in, behind the one fault
 * proxy of test/support. A message that may have gone out is a timeout (504) and nobody else is
 * asked; only a refusal, or a connection that never opened, lets the next provider send.
 */
const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));
const SMS: SmsMessage = { channel: 'sms', to, text: '[phone-verify] 인증번호 [123456]' };
const HOOK = 'phone-verify-sms-hook';
const TIMEOUT_MS = 500;

describe('provider answers that break on the way back, against the AWS and SENS stand-ins', () => {
  const aws = useAws();
  let emu: AwsEmulator;
  let sens: SensEmulator;
  let proxy: FaultProxy;
  let hooked: number;
  beforeAll(async () => {
    sens = await startSens();
  }, 10_000);
  afterAll(() => sens.close(), 10_000);
  beforeEach(async () => {
    emu = aws();
    proxy = await FaultProxy.start(emu.url);
    sens.accepted.length = 0;
    sens.refusals.length = 0;
    hooked = 0;
    emu.lambda.register(HOOK, () => ((hooked += 1), { status: 'sent', messageId: 'hook-1' }));
  }, 10_000);
  afterEach(async () => {
    await proxy.stop();
    // Neither stand-in refused anything: every fault here is the proxy's.
    expect([...sens.refusals, ...emu.refusals]).toEqual([]);
  }, 10_000);

  const attempts: Array<[string, AttemptOutcome]> = [];
  beforeEach(() => {
    attempts.length = 0;
  });
  const recorder = { attempt: (p: string, o: AttemptOutcome) => attempts.push([p, o]), failover: () => undefined };
  const context = { timeoutMs: TIMEOUT_MS, code: '123456', expiresAt: '2030-01-01T00:00:00.000Z', codeTtlMs: 300_000 };
  const awsVia = (endpoint: string) => new AwsSmsSender(awsSmsClient({ ...awsClientTarget(emu), endpoint }), {}, TIMEOUT_MS);
  const hookVia = (endpoint: string) => new LambdaSmsSender(lambdaClient({ ...awsClientTarget(emu), endpoint }), HOOK, TIMEOUT_MS);
  const sensAt = (endpoint: string) =>
    new SensSmsSender(
      { ...SENS_TEST_CREDENTIALS, alimtalkServiceId: ALIMTALK_TEST.alimtalkServiceId, plusFriendId: ALIMTALK_TEST.plusFriendId },
      { endpoint, timeoutMs: TIMEOUT_MS },
    );

  it.each([
    ['a body that is not JSON', { swapBody: 'not json' }],
    ['an empty body (no MessageId)', { swapBody: '' }],
    ['a body that is not its answer (no MessageId)', { swapBody: '{"Message":"ok"}' }],
    ['a status line whose body stalls past the time limit', 'stall-body' as const],
    ['a status line whose body breaks off', 'break-body' as const],
  ])('AWS End User Messaging answers 200 with %s → 504, and SENS after it is asked nothing', async (_label, fault) => {
    proxy.fault = fault;
    const sender = new FailoverSender([awsVia(proxy.url), sensAt(sens.url)], recorder);
    await expect(sender.send(SMS, context)).rejects.toThrow(SmsTimeoutError);
    // AWS took the message: exactly one, and nobody sends a second.
    expect(emu.sms.map((m) => m.to)).toEqual([to.e164]);
    expect(sens.accepted).toEqual([]);
    expect(attempts).toEqual([['aws', 'timed_out']]);
  });

  it.each([
    ['a payload that is not JSON', { swapBody: 'not json' }],
    ['a status line whose payload stalls past the time limit', 'stall-body' as const],
  ])('the hook answers 200 with %s → 504, and SENS after it is asked nothing', async (_label, fault) => {
    proxy.fault = fault;
    const sender = new FailoverSender([hookVia(proxy.url), sensAt(sens.url)], recorder);
    await expect(sender.send(SMS, context)).rejects.toThrow(SmsTimeoutError);
    expect(hooked).toBe(1);
    expect(sens.accepted).toEqual([]);
  });

  it('an AWS error answer is still a refusal: the next provider sends', async () => {
    emu.mode.sms = 'throttle';
    const sender = new FailoverSender([awsVia(proxy.url), hookVia(emu.url)], recorder);
    await expect(sender.send(SMS, context)).resolves.toMatchObject({ provider: 'lambda' });
    expect(attempts).toEqual([
      ['aws', 'refused'],
      ['lambda', 'accepted'],
    ]);
    emu.refusals.length = 0; // the throttle was asked for
  });

  it('SENS answers an Alimtalk with success but no status for its message → 504, AWS after it is asked nothing', async () => {
    const sensProxy = await FaultProxy.start(sens.url);
    try {
      sensProxy.fault = {
        swapBody: JSON.stringify({
          requestId: 'RAT-1',
          requestTime: '2026-12-01T00:00:00.000',
          statusCode: '202',
          statusName: 'success',
          messages: [{ messageId: 'm-1', countryCode: '82', to: '01012345678' }],
        }),
      };
      const alimtalk: SmsMessage = {
        ...SMS,
        channel: 'alimtalk',
        templateCode: ALIMTALK_TEST.templateCode,
        alimtalkText: '[phone-verify] 인증번호 [123456]를 입력해주세요. 타인에게 알려주지 마세요.',
      };
      const sender = new FailoverSender([sensAt(sensProxy.url), awsVia(emu.url)], recorder);
      await expect(sender.send(alimtalk, context)).rejects.toThrow(SmsTimeoutError);
      expect(sens.accepted.map((m) => m.channel)).toEqual(['alimtalk']);
      expect(emu.sms).toEqual([]);
    } finally {
      await sensProxy.stop();
    }
  });

  it('nobody listening at AWS End User Messaging: a refusal, and the next provider sends', async () => {
    const closed = await FaultProxy.start(emu.url);
    const nobody = closed.url;
    await closed.stop();
    const sender = new FailoverSender([awsVia(nobody), hookVia(emu.url)], recorder);
    await expect(sender.send(SMS, context)).resolves.toMatchObject({ provider: 'lambda' });
    expect(attempts).toEqual([
      ['aws', 'refused'],
      ['lambda', 'accepted'],
    ]);
  });

  describe('the time runs out before the connection opened (a TLS handshake that never completes): nothing was written', () => {
    beforeEach(() => {
      proxy.fault = 'silent';
    });
    const silentTls = () => proxy.url.replace(/^http:/, 'https:');

    it('AWS End User Messaging: a refusal', async () => {
      await expect(awsVia(silentTls()).send(SMS, context)).rejects.toThrow(SmsDeliveryError);
    });

    it('the hook: a refusal', async () => {
      await expect(hookVia(silentTls()).send(SMS, context)).rejects.toThrow(SmsDeliveryError);
    });

    it('SENS: a refusal', async () => {
      await expect(sensAt(silentTls()).send(SMS, context)).rejects.toThrow(SmsDeliveryError);
    });
  });
});
