import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { PROBLEM_HTTP } from '../functions/http/problem';
import { codeBlocks, headingAnchors, linkTargets, sections } from './support/markdown';

/**
 * The README is a door and docs/ is the manual: every link of either leads somewhere (a file
 * of the repository, and the heading its `#anchor` names), every docs page is reached from the
 * index, and README.ko.md follows README.md section for section, with the same code, commands
 * and pages.
 */
const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The Markdown of ours a reader follows links in: the two READMEs, the security policy, the changelog and every docs page. */
const DOCUMENTS = [
  'README.md',
  'README.ko.md',
  'SECURITY.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f).split(sep).join('/'))
    .sort(),
];

/** The links of `file` that do not lead anywhere, as `file -> target (why)`. */
function brokenLinks(file: string, markdown: string): string[] {
  return linkTargets(markdown).flatMap((target) => {
    if (/^(https?|mailto):/.test(target)) return []; // outside the repository; the tests stay offline
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const resolved = path === '' ? join(ROOT, file) : join(ROOT, dirname(file), decodeURI(path));
    const broken = (why: string) => [`${file} -> ${target} (${why})`];
    if (relative(ROOT, resolved).startsWith('..')) return broken('outside the repository');
    if (!existsSync(resolved)) return broken('no such file');
    if (anchor === undefined) return [];
    if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) return broken('an anchor in a file that is not Markdown');
    return headingAnchors(readFileSync(resolved, 'utf8')).has(anchor) ? [] : broken('no such heading');
  });
}

describe('the documentation', () => {
  it.each(DOCUMENTS)('%s: every link leads to a file of the repository, and every #anchor to a heading there', (file) => {
    const markdown = read(file);
    expect(brokenLinks(file, markdown)).toEqual([]);
  });

  it('checks every page: the READMEs and at least the dozen pages of docs/', () => {
    expect(DOCUMENTS.filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(12);
    expect(DOCUMENTS.reduce((n, f) => n + linkTargets(read(f)).length, 0)).toBeGreaterThan(100);
  });

  it('is really looking: a missing file, a missing heading and a path out of the repository are found', () => {
    const sample = '[a](docs/MISSING.md) [b](docs/api.md#no-such-heading) [c](../outside.md) [d](docs/api.md#languages) `[e](no.md)`';
    expect(brokenLinks('README.md', sample)).toEqual([
      'README.md -> docs/MISSING.md (no such file)',
      'README.md -> docs/api.md#no-such-heading (no such heading)',
      'README.md -> ../outside.md (outside the repository)',
    ]);
  });

  it('reaches every docs page from the index, and the index from both READMEs', () => {
    const index = linkTargets(read('docs/README.md')).map((t) => t.split('#')[0]);
    const pages = DOCUMENTS.filter((f) => f.startsWith('docs/') && f !== 'docs/README.md').map((f) => relative('docs', f).split(sep).join('/'));
    expect(pages.filter((page) => !index.includes(page))).toEqual([]);
    for (const readme of ['README.md', 'README.ko.md']) expect(linkTargets(read(readme))).toContain('docs/README.md');
  });
});

describe('docs/api.md', () => {
  it('lists every problem code a client can meet, with the status it answers', () => {
    const table = sections(read('docs/api.md')).get('Every problem code') ?? '';
    const listed = [...table.matchAll(/^\| ([0-9 /]+) \| (`[a-z_]+`(?: \/ `[a-z_]+`)*) \|/gm)].flatMap(([, statuses, codes]) => {
      const status = statuses!.split('/').map((s) => Number(s.trim()));
      return codes!.split('/').map((code, i) => [code.trim().replaceAll('`', ''), status[i] ?? status[0]] as const);
    });
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(Object.entries(PROBLEM_HTTP).map(([code, { status }]) => [code, status])));
  });
});

describe('README.md, the door', () => {
  const readme = read('README.md');

  it('stays short: about 250 lines, the manual lives in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(280);
  });

  it('gives the two commands on the first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 40).join('\n');
    expect(firstScreen).toContain('npm ci && npm start');
    expect(firstScreen).toContain('npm ci && npm test');
  });

  it('links every guide and the security conformance page', () => {
    const targets = linkTargets(readme);
    for (const page of ['clients', 'providers', 'deploy', 'operate', 'runbook', 'events', 'reliability', 'cost', 'security', 'tokens']) {
      expect(targets).toContain(`docs/${page}.md`);
    }
  });
});

describe('README.ko.md', () => {
  const english = read('README.md');
  const korean = read('README.ko.md');
  const inlineCommands = (markdown: string) => [...markdown.matchAll(/`((?:npm|npx|node|aws|curl) [^`]+)`/g)].map((m) => m[1]!);

  it('has as many sections as the English README, and in order exactly its code blocks', () => {
    expect([...sections(korean).keys()].length).toBe([...sections(english).keys()].length);
    const expected = codeBlocks(english).map((b) => b.raw);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(codeBlocks(korean).map((b) => b.raw)).toEqual(expected);
  });

  it('quotes no command the English README does not give', () => {
    const commands = inlineCommands(korean);
    expect(commands.length).toBeGreaterThanOrEqual(3);
    expect(commands.filter((command) => !english.includes(command))).toEqual([]);
  });

  it('links the same pages as the English README', () => {
    const pages = (markdown: string) => new Set(linkTargets(markdown).filter((t) => !/^README/.test(t)));
    expect([...pages(korean)].sort()).toEqual([...pages(english)].sort());
  });

  it('is linked from the English README, and links back', () => {
    expect(english).toContain('[한국어](README.ko.md)');
    expect(korean).toContain('[English](README.md)');
  });
});
