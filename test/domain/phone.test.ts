import { VerificationError } from '../../functions/domain/errors';
import { maskE164, maskNationalNumber, parsePhoneNumber } from '../../functions/domain/phone';

const KR = new Set(['KR']);
const codeOf = (input: string, allowed: ReadonlySet<string> = KR) => {
  try {
    parsePhoneNumber(input, allowed);
    return 'ok';
  } catch (error) {
    return (error as VerificationError).code;
  }
};

describe('parsePhoneNumber', () => {
  it.each(['01012345678', '010-1234-5678', '010 1234 5678', '+821012345678', '+82 10-1234-5678', '+82 10 1234 5678'])('reads %s as +821012345678', (input) => {
    const phone = parsePhoneNumber(input, KR);
    expect(phone).toEqual({
      e164: '+821012345678',
      country: 'KR',
      callingCode: '82',
      nationalDigits: '01012345678',
      masked: '+82 10-****-5678',
    });
  });

  it.each([
    ['a Seoul landline', '02-123-4567'],
    ['a Seoul landline in E.164', '+8221234567'],
    ['too few digits', '010-123'],
    ['letters', '010-CALL-NOW'],
    ['full-width digits', '０１０１２３４５６７８'],
    ['Arabic-Indic digits', '٠١٠١٢٣٤٥٦٧٨'],
    ['parentheses', '(010) 1234-5678'],
    ['an extension', '010-1234-5678 ext. 12'],
    ['a zero-width space', '010\u200b12345678'],
    ['a double space', '010  1234 5678'],
    ['a trailing hyphen', '010-1234-5678-'],
    ['a plus in the middle', '010+12345678'],
    ['the empty string', ''],
    ['an absurdly long string', '1'.repeat(200)],
  ])('refuses %s as invalid_phone_number', (_label, input) => {
    expect(codeOf(input)).toBe('invalid_phone_number');
  });

  it.each([
    ['a US number', '+1 202 555 0143'],
    ['a UK mobile', '+44 7400 123456'],
    ['a Japanese mobile', '+81 90-1234-5678'],
    ['a German landline (valid number, country checked before type)', '+49 30 901820'],
    ['a non-geographic number', '+800 1234 5678'],
  ])('refuses %s as unsupported_country', (_label, input) => {
    expect(codeOf(input)).toBe('unsupported_country');
  });

  it('accepts a foreign mobile when its country is allowed', () => {
    const phone = parsePhoneNumber('+81 90-1234-5678', new Set(['KR', 'JP']));
    expect(phone.e164).toBe('+819012345678');
    expect(phone.callingCode).toBe('81');
    expect(phone.nationalDigits).toBe('09012345678');
  });

  it('still refuses an allowed country’s landline', () => {
    expect(codeOf('+81 3-1234-5678', new Set(['JP']))).toBe('invalid_phone_number');
  });

  it('checks the country calling code before validity (docs/api.md): an invalid number of a code no allowed country uses is unsupported_country', () => {
    expect(codeOf('+1 000 000 0000')).toBe('unsupported_country');
    expect(codeOf('+999 1234')).toBe('unsupported_country'); // no country at all has +999
  });

  it('still calls an invalid number of an allowed calling code invalid_phone_number', () => {
    expect(codeOf('+82 10-123')).toBe('invalid_phone_number');
  });

  it('refuses a national number when the default region (KR) is not allowed', () => {
    expect(codeOf('010-1234-5678', new Set(['JP']))).toBe('unsupported_country');
  });
});

describe('maskNationalNumber', () => {
  it('shows the first two and last four digits of a mobile number', () => {
    expect(maskNationalNumber('82', '1012345678')).toBe('+82 10-****-5678');
  });
  it('shows only the last two digits of a short number', () => {
    expect(maskNationalNumber('82', '212345')).toBe('+82 ****-45');
  });
});

describe('maskE164 (a stored number in an event or a log line)', () => {
  it('masks as a parsed number is masked', () => {
    expect(maskE164('+821012345678')).toBe(parsePhoneNumber('010-1234-5678', new Set(['KR'])).masked);
    expect(maskE164('+819012345678')).toBe('+81 90-****-5678');
  });

  it('keeps only the last four digits of a number it cannot place', () => {
    expect(maskE164('+999123456789')).toBe('+********-6789');
  });
});
