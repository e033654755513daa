import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
// The full metadata here, under npm start and in tests; a Lambda bundle gets metadata cut to its
// stage's ALLOWED_COUNTRIES in its place (lib/phone-metadata.ts, an esbuild alias). The answers
// are the same either way: the calling code is checked first, with no metadata at all.
import fullMetadata from 'libphonenumber-js/metadata.max.json';
import { VerificationError } from './errors';

const metadata = fullMetadata as unknown as MetadataJson;

/** A mobile number that passed every phone check (docs/api.md, "The order a request is judged in"), in the forms the service needs. */
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

const invalid = () => new VerificationError('invalid_phone_number');

/** Whether `country` has phone metadata here (for config validation: an unknown code stops start-up). */
export function isKnownCountry(country: string): boolean {
  return isSupportedCountry(country as CountryCode, metadata);
}

const callingCodesOf = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

/** The country calling codes the allowed countries use (`82` for KR), computed once per set. */
function allowedCallingCodes(allowedCountries: ReadonlySet<string>): ReadonlySet<string> {
  let codes = callingCodesOf.get(allowedCountries);
  if (!codes) {
    codes = new Set([...allowedCountries].filter(isKnownCountry).map((c) => getCountryCallingCode(c as CountryCode, metadata)));
    callingCodesOf.set(allowedCountries, codes);
  }
  return codes;
}

const unsupported = () => new VerificationError('unsupported_country');

/**
 * Parses `input` (national with `defaultCountry`, or E.164) in the spec's order: parse → country
 * calling code → valid number → allowed country → mobile. The calling code comes first, so a
 * number no allowed country could have is `unsupported_country` whether or not it is valid
 * where it belongs, and the metadata of other countries is never needed.
 * @throws VerificationError `invalid_phone_number` or `unsupported_country`
 */
export function parsePhoneNumber(input: string, allowedCountries: ReadonlySet<string>, defaultCountry = 'KR'): PhoneNumber {
  if (input.length > MAX_INPUT_LENGTH || !PLAIN_NUMBER.test(input)) throw invalid();
  const codes = allowedCallingCodes(allowedCountries);
  // Calling codes are a prefix code (ITU-T E.164): at most one of them starts the number.
  const allowedCode = input.startsWith('+')
    ? [...codes].some((code) => input.replace(/[^0-9]/g, '').startsWith(code))
    : isKnownCountry(defaultCountry) && codes.has(getCountryCallingCode(defaultCountry as CountryCode, metadata));
  if (!allowedCode) throw unsupported();
  const parsed = parsePhoneNumberFromString(input, { defaultCountry: defaultCountry as CountryCode }, metadata);
  if (!parsed?.isValid()) throw invalid();
  if (!parsed.country || !allowedCountries.has(parsed.country)) throw unsupported();
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

/**
 * The masked form of a stored E.164 number (an event with `EVENTS_PHONE_NUMBER=masked`, a log
 * line). A number whose country this process has no metadata for (the Lambda carries only its
 * stage's countries, and ALLOWED_COUNTRIES may have shrunk since the item was written) keeps only
 * its last four digits.
 */
export function maskE164(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, metadata);
  if (parsed) return maskNationalNumber(parsed.countryCallingCode, parsed.nationalNumber);
  const digits = e164.replace(/[^0-9]/g, '');
  return `+${'*'.repeat(Math.max(0, digits.length - 4))}-${digits.slice(-4)}`;
}

/** `+82 10-****-5678`: keeps the first two and last four national digits, or fewer for short numbers. */
export function maskNationalNumber(callingCode: string, nationalNumber: string): string {
  const shown = nationalNumber.length >= 8 ? 2 : 0;
  const tail = nationalNumber.length >= 8 ? 4 : Math.min(2, nationalNumber.length);
  const middle = '*'.repeat(nationalNumber.length - shown - tail);
  return `+${callingCode} ${shown ? `${nationalNumber.slice(0, shown)}-` : ''}${middle}-${nationalNumber.slice(-tail)}`;
}
