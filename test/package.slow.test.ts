import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

describe('the package a backend installs', () => {
  const run = (script: string, type: 'commonjs' | 'module') =>
    execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }).trim();

  it('exports verifyPhoneToken and PhoneTokenError to require()', () => {
    expect(run("const m = require('phone-verify'); console.log(typeof m.verifyPhoneToken, typeof m.PhoneTokenError)", 'commonjs')).toBe('function function');
  });

  it('exports them to import', () => {
    expect(run("const m = await import('phone-verify'); console.log(typeof m.verifyPhoneToken, typeof m.PhoneTokenError)", 'module')).toBe('function function');
  });

  it('carries jose inside, so require() works on every Node the package supports (jose itself is ESM only)', () => {
    for (const file of ['index.cjs', 'index.mjs']) {
      const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
      expect(text).not.toMatch(/require\(["']jose["']\)|from\s*["']jose["']/);
      expect(text).toContain('ERR_JWKS_NO_MATCHING_KEY'); // jose's own error code: its remote key set is in the file
    }
  });

  it('refuses a bad token through the built file', () => {
    const script =
      "const { verifyPhoneToken } = require('phone-verify'); verifyPhoneToken('x.y.z', { keys: [], issuer: 'i' }).catch((e) => console.log(e.code));";
    expect(run(script, 'commonjs')).toBe('malformed');
  });
});
