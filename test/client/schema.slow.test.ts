import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('client/schema.d.ts', () => {
  it('is what openapi-typescript makes of openapi.yaml today (else: npm run generate:client)', () => {
    const generated = execFileSync(process.execPath, [join(ROOT, 'tools', 'openapi-types', 'generate.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(readFileSync(join(ROOT, 'client', 'schema.d.ts'), 'utf8')).toBe(generated);
  }, 60_000);
});
