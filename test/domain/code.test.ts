// The module object itself (not an interop copy), so a spy sees the calls our code makes.
import crypto = require('node:crypto');
import fc from 'fast-check';
import { CodeHasher, generateCode, hashesEqual } from '../../functions/domain/code';

describe('generateCode', () => {
  it('makes a string of exactly the asked number of ASCII digits, for every allowed length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 10 }), (length) => {
        expect(generateCode(length)).toMatch(new RegExp(`^[0-9]{${length}}$`));
      }),
    );
  });

  it('refuses lengths outside 4–10', () => {
    for (const length of [3, 11, 0, -1, 6.5, Number.NaN]) expect(() => generateCode(length)).toThrow(RangeError);
  });

  it('keeps leading zeros (a 4-digit code starts with 0 about one time in ten)', () => {
    const draws = Array.from({ length: 5000 }, () => generateCode(4));
    const leadingZero = draws.filter((c) => c.startsWith('0')).length;
    expect(leadingZero).toBeGreaterThan(350); // expected 500; 350 is > 7 standard deviations away
    expect(draws.every((c) => c.length === 4)).toBe(true);
  });

  it('is uniform: every digit in every position passes a chi-square test', () => {
    const draws = 20000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < draws; i += 1) {
      [...generateCode(6)].forEach((digit, position) => (counts[position]![Number(digit)]! += 1));
    }
    const expected = draws / 10;
    for (const position of counts) {
      const chiSquare = position.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
      expect(chiSquare).toBeLessThan(33.7); // 9 degrees of freedom, p = 0.0001
    }
  });

  it('draws from the CSPRNG (crypto.randomInt)', () => {
    const spy = jest.spyOn(crypto, 'randomInt');
    generateCode(6);
    expect(spy).toHaveBeenCalledTimes(6);
    spy.mockRestore();
  });
});

describe('CodeHasher', () => {
  const hasher = new CodeHasher('a-server-side-secret-of-some-length');

  it('never stores the code in clear and binds it to the phone number', () => {
    const hash = hasher.hash('+821012345678', '123456');
    expect(hash).not.toContain('123456');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hasher.hash('+821099998888', '123456')).not.toBe(hash);
  });

  it('depends on the secret', () => {
    expect(new CodeHasher('another-server-side-secret-here!!').hash('+821012345678', '123456')).not.toBe(hasher.hash('+821012345678', '123456'));
  });

  it('matches the right code only', () => {
    const hash = hasher.hash('+821012345678', '012345');
    expect(hasher.matches(hash, '+821012345678', '012345')).toBe(true);
    expect(hasher.matches(hash, '+821012345678', '12345')).toBe(false);
    expect(hasher.matches(hash, '+821012345678', '012346')).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => new CodeHasher('short')).toThrow(RangeError);
  });

  it('compares hashes with crypto.timingSafeEqual, not ===', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    expect(hashesEqual('abc', 'abc')).toBe(true);
    expect(hashesEqual('abc', 'abd')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(hashesEqual('abc', 'abcd')).toBe(false); // different lengths never reach the comparison
    spy.mockRestore();
  });
});
