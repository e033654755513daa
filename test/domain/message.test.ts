import { VerificationError } from '../../functions/domain/errors';
import { SMS_MAX_BYTES, composeMessage, renderMessage, resolveChannel, smsByteLength, type MessageFormat } from '../../functions/domain/message';
import { parsePhoneNumber } from '../../functions/domain/phone';

describe('renderMessage', () => {
  const template = '[phone-verify] 인증번호 [{code}]를 입력해주세요.';

  it('puts the code in the template', () => {
    expect(renderMessage({ template, defaultChannel: 'sms' }, '012345')).toBe('[phone-verify] 인증번호 [012345]를 입력해주세요.');
  });

  it('appends the Android hash, then the WebOTP line last, LF-separated, no trailing newline', () => {
    const text = renderMessage({ template, defaultChannel: 'sms', androidAppHash: 'FA+9qCX9VSu', webOtpDomain: 'example.com' }, '123456');
    expect(text).toBe('[phone-verify] 인증번호 [123456]를 입력해주세요.\nFA+9qCX9VSu\n@example.com #123456');
  });

  it('adds only the WebOTP line when only it is configured', () => {
    expect(renderMessage({ template: 'Code {code}', defaultChannel: 'sms', webOtpDomain: 'a.example' }, '1234')).toBe('Code 1234\n@a.example #1234');
  });
});

describe('smsByteLength', () => {
  it('counts ASCII as 1 byte and Hangul as 2 (EUC-KR)', () => {
    expect(smsByteLength('abc')).toBe(3);
    expect(smsByteLength('인증번호')).toBe(8);
    expect(smsByteLength('[phone-verify] 인증번호 [123456]를 입력해주세요.')).toBe(48);
  });

  it('makes an emoji impossible to fit', () => {
    expect(smsByteLength('code 🙂')).toBeGreaterThan(SMS_MAX_BYTES);
  });
});

describe("composeMessage: the one place a send's channel is decided", () => {
  const to = parsePhoneNumber('010-1234-5678', new Set(['KR']));
  const sms: MessageFormat = { template: 'Code {code}', defaultChannel: 'sms' };
  const alimtalk: MessageFormat = { ...sms, defaultChannel: 'alimtalk', alimtalk: { templateCode: 'VERIFY', template: '인증번호 [{code}]' } };
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof VerificationError ? error.code : error;
    }
    return 'no refusal';
  };

  it('texts an SMS by default, and when asked for one where Alimtalk is the default', () => {
    expect(composeMessage(sms, undefined, to, '123456')).toEqual({ channel: 'sms', to, text: 'Code 123456' });
    expect(composeMessage(alimtalk, 'sms', to, '123456')).toEqual({ channel: 'sms', to, text: 'Code 123456' });
  });

  it('sends an Alimtalk with its template and the full SMS as failover, by default or when asked', () => {
    const expected = { channel: 'alimtalk', to, text: 'Code 123456', templateCode: 'VERIFY', alimtalkText: '인증번호 [123456]' };
    expect(composeMessage(alimtalk, undefined, to, '123456')).toEqual(expected);
    expect(composeMessage({ ...alimtalk, defaultChannel: 'sms' }, 'alimtalk', to, '123456')).toEqual(expected);
  });

  it('refuses Alimtalk where it is not configured (unsupported_channel), for a test number too', () => {
    expect(refusal(() => composeMessage(sms, 'alimtalk', to, '123456'))).toBe('unsupported_channel');
    expect(refusal(() => resolveChannel(sms, 'alimtalk'))).toBe('unsupported_channel');
    expect(resolveChannel(alimtalk, undefined)).toBe('alimtalk');
    expect(resolveChannel(alimtalk, 'sms')).toBe('sms');
  });
});
