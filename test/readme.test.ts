import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * README.ko.md covers the quick start, the API in short, the client and backend sections, the SMS providers, the lifecycle events and the
 * deploy steps of README.md, with the same commands and code: its code blocks are, in order,
 * exactly those of the English sections it covers, and every command it quotes inline is one the
 * English README gives. Change one README, and this fails until the other follows.
 */
const read = (name: string) => readFileSync(join(__dirname, '..', name), 'utf8');
const COVERED = [
  'Quick start',
  'The API in short',
  'For client developers',
  'SMS providers and failover',
  'Lifecycle events',
  'Deploy to AWS, one stack per environment',
];

const codeBlocks = (markdown: string) => [...markdown.matchAll(/^```[^\n]*\n[\s\S]*?^```/gm)].map((m) => m[0]);
const inlineCommands = (markdown: string) => [...markdown.matchAll(/`((?:npm|npx|node|aws|curl) [^`]+)`/g)].map((m) => m[1]!);

/** The text of each `## ` section of `markdown`, by heading. */
function sections(markdown: string): Map<string, string> {
  const parts = markdown.split(/^## (.*)$/m);
  return new Map(Array.from({ length: (parts.length - 1) / 2 }, (_, i) => [parts[1 + 2 * i]!.trim(), parts[2 + 2 * i]!]));
}

describe('README.ko.md', () => {
  const english = read('README.md');
  const korean = read('README.ko.md');

  it('has, in order, exactly the code blocks of the English sections it covers', () => {
    const bySection = sections(english);
    expect(COVERED.filter((heading) => !bySection.has(heading))).toEqual([]);
    const expected = COVERED.flatMap((heading) => codeBlocks(bySection.get(heading) ?? ''));
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(codeBlocks(korean)).toEqual(expected);
  });

  it('quotes no command the English README does not give', () => {
    const commands = inlineCommands(korean);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    expect(commands.filter((command) => !english.includes(command))).toEqual([]);
  });

  it('is linked from the English README, and links back', () => {
    expect(english).toContain('[한국어](README.ko.md)');
    expect(korean).toContain('[English](README.md)');
  });
});
