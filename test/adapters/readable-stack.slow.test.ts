import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { readableStack } from '../../functions/adapters/readable-stack';

/**
 * The functions run without --enable-source-maps (it slowed every cold import by about 20 %): a
 * bug's stack is mapped to our sources when it is logged. Here a minified bundle, built with a
 * source map beside it as scripts/build.ts builds the handlers, throws.
 */
describe('readableStack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readable-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('points the frames of a minified bundle at the source file and line, and leaves other frames alone', async () => {
    const source = join(dir, 'thrower.ts');
    writeFileSync(
      source,
      ['export function outer(n: number): number {', '  if (n > 0) return outer(n - 1);', "  throw new TypeError('a bug');", '}', ''].join('\n'),
    );
    const bundle = join(dir, 'bundle.cjs');
    await build({ entryPoints: [source], bundle: true, minify: true, format: 'cjs', platform: 'node', sourcemap: true, outfile: bundle, logLevel: 'silent' });
    // A fresh Node, as Lambda runs it: jest maps the stacks of what runs inside it by itself.
    const script = `try { require(${JSON.stringify(bundle)}).outer(2) } catch (e) { process.stdout.write(e.stack) }`;
    const stack = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(stack).toMatch(/bundle\.cjs:1:\d+/); // minified: everything on line 1
    const readable = readableStack(stack);
    expect(readable).toMatch(/thrower\.ts:3:\d+/); // the throw
    expect(readable).toMatch(/thrower\.ts:2:\d+/); // the recursion
    expect(readable).not.toMatch(/bundle\.cjs:1:/);
    expect(readable.split('\n')[0]).toBe('TypeError: a bug');
  });

  it('leaves a stack alone where no source map sits beside the file', () => {
    const stack = 'Error: x\n    at f (/nowhere/index.mjs:1:100)\n    at node:internal/process/task_queues:95:5';
    expect(readableStack(stack)).toBe(stack);
  });
});
