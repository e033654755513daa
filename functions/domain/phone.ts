import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { VerificationError } from './errors';

/** A mobile number that passed every check of SPEC section 2, in the forms the service needs. */
export interface PhoneNumber {
  /** `+821012345678`: the identity of the verification from parsing on. */
  readonly e164: string;
  /** ISO 3166 alpha-2 region, e.g. `KR`. */
  readonly country: string;
  /** Country calling code without `+`, e.g. `82` (SENS `countryCode`). */
  readonly callingCode: string;
  /** National number as dialled at home, digits only, e.g. `01012345678` (SENS `to`). */
  readonly nationalDigits: string;
  /** `+82 10-****-5678`: the only form of a number that may reach a log line. */
  readonly masked: string;
}

/**
 * Plain ASCII only: optional `+`, digits, single spaces or hyphens between digit groups. The
 * library would also accept full-width digits, parentheses, extensions and invisible characters;
 * the spec refuses them so that what a user typed is what gets texted.
 */
const PLAIN_NUMBER = /^\+?[0-9]+(?:[ -][0-9]+)*$/;
/** Longer than any real number in any format; stops absurd input before the parser sees it. */
const MAX_INPUT_LENGTH = 32;

const invalid = () => new VerificationError('invalid_phone_number', 'The phone number is not a valid mobile number.');

/**
 * Parses `input` (national with `defaultCountry`, or E.164) in the spec's order:
 * parse → valid number → allowed country → mobile.
 * @throws VerificationError `invalid_phone_number` or `unsupported_country`
 */
export function parsePhoneNumber(input: string, allowedCountries: ReadonlySet<string>, defaultCountry = 'KR'): PhoneNumber {
  if (input.length > MAX_INPUT_LENGTH || !PLAIN_NUMBER.test(input)) throw invalid();
  const parsed = parsePhoneNumberFromString(input, { defaultCountry: defaultCountry as never });
  if (!parsed?.isValid()) throw invalid();
  // Non-geographic numbers (+800, +882 …) have no country, so no allowlist can admit them.
  if (!parsed.country || !allowedCountries.has(parsed.country)) {
    throw new VerificationError('unsupported_country', 'Codes cannot be sent to numbers in this country.');
  }
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') throw invalid();
  return {
    e164: parsed.number,
    country: parsed.country,
    callingCode: parsed.countryCallingCode,
    nationalDigits: parsed.formatNational().replace(/[^0-9]/g, ''),
    masked: maskNationalNumber(parsed.countryCallingCode, parsed.nationalNumber),
  };
}

/** `+82 10-****-5678`: keeps the first two and last four national digits, or fewer for short numbers. */
export function maskNationalNumber(callingCode: string, nationalNumber: string): string {
  const shown = nationalNumber.length >= 8 ? 2 : 0;
  const tail = nationalNumber.length >= 8 ? 4 : Math.min(2, nationalNumber.length);
  const middle = '*'.repeat(nationalNumber.length - shown - tail);
  return `+${callingCode} ${shown ? `${nationalNumber.slice(0, shown)}-` : ''}${middle}-${nationalNumber.slice(-tail)}`;
}
