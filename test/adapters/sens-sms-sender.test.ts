import { SensSmsSender, sensSignature } from '../../functions/adapters/sens-sms-sender';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { SmsDeliveryError, SmsTimeoutError } from '../../functions/domain/ports';
import { FakeSens, SENS_TEST_CREDENTIALS } from '../support/fake-sens';

const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));

describe('SensSmsSender', () => {
  let sens: FakeSens;
  let sender: SensSmsSender;
  beforeEach(async () => {
    sens = await new FakeSens().start();
    sender = new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: sens.endpoint, timeoutMs: 300 });
  });
  afterEach(() => sens.stop());

  it('sends a request SENS accepts: signed, with the national number and the country code', async () => {
    const receipt = await sender.send({ to, text: '인증번호 [123456]' });
    expect(sens.refusals).toEqual([]);
    expect(sens.delivered).toEqual([{ countryCode: '82', from: '0212345678', content: '인증번호 [123456]', to: '01012345678' }]);
    expect(receipt.providerRequestId).toMatch(/^RSSA-/);
  });

  it('tolerates a trailing slash on the endpoint', async () => {
    await new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: `${sens.endpoint}/`, timeoutMs: 300 }).send({ to, text: 'x' });
    expect(sens.delivered).toHaveLength(1);
  });

  it('is refused by SENS when the secret key is wrong (the fake really checks)', async () => {
    const forged = new SensSmsSender({ ...SENS_TEST_CREDENTIALS, secretKey: 'wrong' }, { endpoint: sens.endpoint, timeoutMs: 300 });
    await expect(forged.send({ to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
    expect(sens.refusals).toEqual(['signature mismatch']);
  });

  it('is refused when the clock is more than 5 minutes off', async () => {
    const late = new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: sens.endpoint, timeoutMs: 300, now: () => Date.now() - 6 * 60 * 1000 });
    await expect(late.send({ to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
    expect(sens.refusals).toEqual(['timestamp more than 5 minutes off']);
  });

  it.each([
    ['a 500', 'fail500' as const],
    ['a 400', 'reject400' as const],
    ['a 202 whose body is not a SENS answer', 'garbage' as const],
  ])('treats %s as a failed send', async (_label, mode) => {
    sens.mode = mode;
    await expect(sender.send({ to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
  });

  it('says what SENS answered, never what was sent', async () => {
    sens.mode = 'fail500';
    const error = await sender.send({ to, text: 'code 987654' }).catch((e: Error) => e);
    expect(String(error)).toContain('HTTP 500');
    expect(String(error)).not.toContain('987654');
    expect(String(error)).not.toContain('01012345678');
  });

  it('gives up after the timeout with SmsTimeoutError when SENS hangs', async () => {
    sens.mode = 'hang';
    const started = Date.now();
    await expect(sender.send({ to, text: 'x' })).rejects.toThrow(SmsTimeoutError);
    expect(Date.now() - started).toBeLessThan(5000); // bounded by the 300 ms timeout, with room for a slow machine
  });

  it('calls an unreachable SENS a failed send (nothing reached it)', async () => {
    const endpoint = sens.endpoint;
    await sens.stop();
    await expect(new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint, timeoutMs: 300 }).send({ to, text: 'x' })).rejects.toThrow(SmsDeliveryError);
    sens = await new FakeSens().start();
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
