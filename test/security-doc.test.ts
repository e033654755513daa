import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/security.md proves each requirement with a named test: `test/<file>` › "title"; "title".
 * This fails when a named file is gone or a quoted title is no longer a string in that file, so
 * the conformance table cannot point at a test that was renamed or deleted.
 */
const root = join(__dirname, '..');
const doc = readFileSync(join(root, 'docs', 'security.md'), 'utf8').replace(/\s*\n\s*/g, ' ');

/** Each cited test file, with the titles quoted after its `›` (up to the table cell's end). */
const citations = doc
  .split('`test/')
  .slice(1)
  .map((segment) => {
    const file = `test/${segment.slice(0, segment.indexOf('`'))}`;
    const rest = segment.slice(segment.indexOf('`') + 1).split('|')[0]!;
    const titles = rest.trimStart().startsWith('›') ? [...rest.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) : [];
    return { file, titles };
  });

/** Every string literal in a source file: test titles are among them. */
const literals = (source: string) =>
  [...source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`([^`$]*)`/g)].map((m) => (m[1] ?? m[2] ?? m[3])!.replace(/\\(.)/g, '$1'));

describe('docs/security.md', () => {
  it('cites tests for the NIST and ASVS rows', () => {
    expect(citations.filter((c) => c.titles.length > 0).length).toBeGreaterThanOrEqual(20);
  });

  it('names only test files that exist', () => {
    expect(citations.filter(({ file }) => !existsSync(join(root, file))).map(({ file }) => file)).toEqual([]);
  });

  it('quotes only test titles those files still have', () => {
    const missing = citations.flatMap(({ file, titles }) => {
      if (!existsSync(join(root, file))) return [];
      const strings = literals(readFileSync(join(root, file), 'utf8'));
      return titles.filter((title) => !strings.some((s) => s.includes(title))).map((title) => `${file} › ${title}`);
    });
    expect(missing).toEqual([]);
  });
});
