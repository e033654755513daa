import { SMS_MAX_BYTES, renderMessage, smsByteLength } from '../../functions/domain/message';

describe('renderMessage', () => {
  const template = '[phone-verify] 인증번호 [{code}]를 입력해주세요.';

  it('puts the code in the template', () => {
    expect(renderMessage({ template }, '012345')).toBe('[phone-verify] 인증번호 [012345]를 입력해주세요.');
  });

  it('appends the Android hash, then the WebOTP line last, LF-separated, no trailing newline', () => {
    const text = renderMessage({ template, androidAppHash: 'FA+9qCX9VSu', webOtpDomain: 'example.com' }, '123456');
    expect(text).toBe('[phone-verify] 인증번호 [123456]를 입력해주세요.\nFA+9qCX9VSu\n@example.com #123456');
  });

  it('adds only the WebOTP line when only it is configured', () => {
    expect(renderMessage({ template: 'Code {code}', webOtpDomain: 'a.example' }, '1234')).toBe('Code 1234\n@a.example #1234');
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
