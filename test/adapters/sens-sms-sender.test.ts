import { SensSmsSender, sensSignature } from '../../functions/adapters/sens-sms-sender';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { SmsDeliveryError, SmsTimeoutError } from '../../functions/domain/ports';
import { FaultProxy } from '../support/fault-proxy';
import { SENS_TEST_CREDENTIALS, startSens, type SensEmulator } from '../support/sens';

const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));

describe('SensSmsSender against the strict SENS emulator (test/support/sens.ts)', () => {
  let sens: SensEmulator;
  let sender: SensSmsSender;
  beforeEach(async () => {
    sens = await startSens();
    sender = new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: sens.url, timeoutMs: 300 });
  }, 10_000);
  afterEach(() => sens.close(), 10_000);

  it('sends a request SENS accepts: service id verbatim in the path, signed, national number and country code', async () => {
    const receipt = await sender.send({ channel: 'sms', to, text: '인증번호 [123456]' });
    expect(sens.refusals).toEqual([]);
    expect(sens.accepted).toEqual([
      expect.objectContaining({ channel: 'sms', type: 'SMS', countryCode: '82', content: '인증번호 [123456]', to: '01012345678' }),
    ]);
    expect(receipt.providerRequestId).toEqual(sens.accepted[0]?.requestId);
  });

  it('tolerates a trailing slash on the endpoint', async () => {
    await new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: `${sens.url}/`, timeoutMs: 300 }).send({ channel: 'sms', to, text: 'x' });
    expect(sens.refusals).toEqual([]);
    expect(sens.accepted).toHaveLength(1);
  });

  it('is refused by SENS when the secret key is wrong (the emulator really checks)', async () => {
    const forged = new SensSmsSender({ ...SENS_TEST_CREDENTIALS, secretKey: 'wrong' }, { endpoint: sens.url, timeoutMs: 300 });
    await expect(forged.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
    expect(sens.refusals).toEqual([expect.stringMatching(/^signature does not match/)]);
  });

  it('is refused when the clock is more than 5 minutes off', async () => {
    const late = new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: sens.url, timeoutMs: 300, now: () => Date.now() - 6 * 60 * 1000 });
    await expect(late.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
    expect(sens.refusals).toEqual([expect.stringMatching(/^timestamp [0-9]+ is not epoch milliseconds within 5 minutes/)]);
  });

  it.each([
    ['a 500', 'fail500' as const],
    ['a 400 that says it failed', 'reject400' as const],
  ])('treats %s as a failed send', async (_label, mode) => {
    sens.mode = mode;
    await expect(sender.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
  });

  // Either may have been accepted: a 504 that keeps the code and asks no other provider, never a
  // refusal that would fail over and send a second SMS (docs/channels.md).
  it.each([
    ['a 202 whose body is not a SENS answer (and does not say it failed)', 'garbage' as const],
    ['a connection dropped after the request was written, before any answer', 'reset' as const],
  ])('treats %s as a timeout: it may have been accepted', async (_label, mode) => {
    sens.mode = mode;
    await expect(sender.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
  });

  it('says what SENS answered, never what was sent', async () => {
    sens.mode = 'fail500';
    const error = await sender.send({ channel: 'sms', to, text: 'code 987654' }).catch((e: Error) => e);
    expect(String(error)).toContain('HTTP 500');
    expect(String(error)).not.toContain('987654');
    expect(String(error)).not.toContain('01012345678');
  });

  it('gives up after the timeout with SmsTimeoutError when SENS hangs', async () => {
    sens.mode = 'hang';
    await expect(sender.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
  });

  it('calls a SENS that answers after the timeout a timeout (the message may still arrive)', async () => {
    sens.mode = 'slow';
    sens.delayMs = 600;
    await expect(sender.send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
  });

  it('calls an unreachable SENS a failed send (nothing reached it)', async () => {
    const endpoint = sens.url;
    await sens.close();
    await expect(new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint, timeoutMs: 300 }).send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(
      SmsDeliveryError,
    );
    sens = await startSens();
  });

  describe('faults on the way back', () => {
    let link: FaultProxy;
    beforeEach(async () => {
      link = await FaultProxy.start(sens.url);
    }, 10_000);
    afterEach(() => link.stop(), 10_000);
    const viaLink = () => new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: link.url, timeoutMs: 300 });

    it('a 202 status line whose body never comes is a timeout, not a refusal: SENS accepted the message', async () => {
      link.fault = 'stall-body';
      await expect(viaLink().send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
      expect(sens.refusals).toEqual([]);
      expect(sens.accepted).toHaveLength(1);
    });

    it('a 202 status line whose body breaks off is a timeout too (the message may arrive)', async () => {
      link.fault = 'break-body';
      await expect(viaLink().send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
      expect(sens.accepted).toHaveLength(1);
    });

    it('never follows a redirect: a 307 is a failed send and the signed request goes nowhere else', async () => {
      link.fault = 'redirect';
      await expect(viaLink().send({ channel: 'sms', to, text: 'x' })).rejects.toThrow(/HTTP 307/);
      expect(sens.requests).toBe(0);
    });
  });
});

describe('sensSignature', () => {
  it('matches the example computed by hand from the SENS formula', () => {
    // printf 'POST /sms/v2/services/svc/messages\n1700000000000\nAK' | openssl dgst -sha256 -hmac SK -binary | base64
    expect(sensSignature({ accessKey: 'AK', secretKey: 'SK' }, '/sms/v2/services/svc/messages', '1700000000000')).toBe(
      'Csfz880Gun7Jk6si/ZChubnV5yixmY46mYAoyKHRXjM=',
    );
  });
});
