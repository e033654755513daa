import { ConfigError } from './errors';
import { parsePhoneNumber, type PhoneNumber } from './phone';

/** At most this many app-review numbers (docs/test-numbers.md). */
export const MAX_TEST_NUMBERS = 10;

/**
 * App-review numbers and their fixed codes, from `number=code,…` (docs/test-numbers.md): each
 * number a valid mobile of an allowed country (kept by its E.164 form), each code `codeLength`
 * digits, at most `MAX_TEST_NUMBERS`. Messages name an entry by position and masked number, never
 * the number itself.
 * @throws ConfigError naming the entry to fix
 */
export function parseTestNumbers(setting: string, allowedCountries: ReadonlySet<string>, codeLength: number): ReadonlyMap<string, string> {
  const entries = setting
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length > MAX_TEST_NUMBERS) throw new ConfigError(`TEST_NUMBERS lists ${entries.length} numbers; at most ${MAX_TEST_NUMBERS}`);
  const codes = new Map<string, string>();
  entries.forEach((entry, i) => {
    const [number = '', code = '', ...rest] = entry.split('=');
    let phone: PhoneNumber;
    try {
      phone = parsePhoneNumber(number.trim(), allowedCountries);
    } catch {
      throw new ConfigError(`TEST_NUMBERS entry ${i + 1} is not a valid mobile number of ALLOWED_COUNTRIES (write number=code)`);
    }
    if (rest.length > 0 || !new RegExp(`^[0-9]{${codeLength}}$`).test(code.trim())) {
      throw new ConfigError(`TEST_NUMBERS entry ${i + 1} (${phone.masked}): the code must be ${codeLength} digits (CODE_LENGTH)`);
    }
    codes.set(phone.e164, code.trim());
  });
  return codes;
}
