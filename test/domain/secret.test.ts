import { MIN_SECRET_BYTES, secretTooShort } from '../../functions/domain/secret';

describe('the secret length rule', () => {
  it('asks for at least 32 bytes, the size of a SHA-256 output', () => {
    expect(MIN_SECRET_BYTES).toBe(32);
    expect(secretTooShort('CODE_HASH_SECRET', 'x'.repeat(32))).toBeUndefined();
    expect(secretTooShort('CODE_HASH_SECRET', 'x'.repeat(31))).toBe('CODE_HASH_SECRET is 31 bytes; it must be at least 32');
  });

  it('counts bytes, not characters: 11 Hangul syllables are 33 bytes of UTF-8', () => {
    expect(secretTooShort('CODE_HASH_SECRET', '가'.repeat(11))).toBeUndefined();
    expect(secretTooShort('CODE_HASH_SECRET', '가'.repeat(10))).toBe('CODE_HASH_SECRET is 30 bytes; it must be at least 32');
    expect(secretTooShort('key', new Uint8Array(16))).toBe('key is 16 bytes; it must be at least 32');
  });
});
