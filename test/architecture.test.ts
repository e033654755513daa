import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layers of functions/, lowest first. An import may go down or sideways, never up: the
 * rules (domain) know nothing of AWS, HTTP or settings; the handlers sit on top of everything.
 */
const LAYERS = ['domain', 'config', 'adapters', 'runtime', 'http', 'handlers'] as const;
const ROOT = join(__dirname, '..');

function layerOf(file: string): (typeof LAYERS)[number] {
  const [top, second] = relative(join(ROOT, 'functions'), file).split('/');
  if (second !== undefined) return top as (typeof LAYERS)[number];
  const name = top!.replace(/\.ts$/, '');
  if (name === 'config' || name === 'runtime') return name;
  return 'handlers';
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(ROOT, dir, f));
}

/** The module specifiers `file` imports or re-exports (static and dynamic). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

const relativeImports = (file: string) =>
  imports(file)
    .filter((i) => i.startsWith('.'))
    .map((i) => resolve(dirname(file), i));

/** The modules `files` import (as repository paths without `.ts`), within `files`. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files.map((f) => f.replace(/\.ts$/, '')));
  return new Map(
    files.map((f) => [
      relative(ROOT, f.replace(/\.ts$/, '')),
      relativeImports(f)
        .filter((t) => known.has(t))
        .map((t) => relative(ROOT, t)),
    ]),
  );
}

/** Each cycle of `graph` once, starting at its first member in sorted order. */
function cyclesIn(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const walk = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const loop = path.slice(at);
      const start = loop.indexOf([...loop].sort()[0]!);
      const rotated = [...loop.slice(start), ...loop.slice(0, start)];
      cycles.set(rotated.join(' -> '), [...rotated, rotated[0]!]);
      return;
    }
    for (const next of graph.get(node) ?? []) walk(next, [...path, node]);
  };
  for (const node of [...graph.keys()].sort()) walk(node, []);
  return [...cycles.values()];
}

const importCycles = (files: string[]) => cyclesIn(importGraph(files)).map((cycle) => cycle.join(' -> '));

describe('the architecture', () => {
  it('has no import running up the layers of functions/ (domain < config < adapters < runtime < http < handlers)', () => {
    const upward = sources('functions').flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(join(ROOT, 'functions')) && LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file)))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps the domain free of AWS and of the transport', () => {
    const domain = sources('functions/domain').flatMap((file) =>
      imports(file)
        .filter((i) => /^@aws-|^aws-lambda$|^node:http/.test(i))
        .map((i) => `${relative(ROOT, file)}: ${i}`),
    );
    expect(domain).toEqual([]);
  });

  it('lets the service code import nothing from the CDK app, the local server, the client, scripts or tests', () => {
    const outward = sources('functions').flatMap((file) =>
      relativeImports(file)
        .filter((target) => !target.startsWith(join(ROOT, 'functions')))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(outward).toEqual([]);
  });

  it('has no import cycle in functions/, type-only imports included', () => {
    expect(importCycles(sources('functions'))).toEqual([]);
  });

  it('is really looking: the cycle search finds a cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cyclesIn(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('keeps the benchmarks out of the tests: bench/ imports nothing from test/ but the vendored stand-ins', () => {
    const fromTests = sources('bench').flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(join(ROOT, 'test')) && !target.startsWith(join(ROOT, 'test', 'emulators')))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(fromTests).toEqual([]);
  });

  it('starts no process from a unit test: child processes belong to the slow and int projects', () => {
    const unit = ourFiles('test').filter((f) => f.endsWith('.test.ts') && !/\.(int|slow)\.test\.ts$/.test(f));
    expect(unit.length).toBeGreaterThan(10);
    expect(unit.filter((f) => /['"](node:)?child_process['"]/.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('gives every child process a test waits on a time limit (jest cannot interrupt a synchronous call)', () => {
    const calls = ourFiles('test')
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\b(?:execFileSync|execSync|spawnSync)\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)/g)].map((m) => ({
          f,
          call: m[0],
        })),
      );
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter(({ call }) => !/\btimeout\b/.test(call)).map(({ f, call }) => `${f}: ${call.slice(0, 80)}`)).toEqual([]);
  });

  it('keeps the token verifier standalone: a backend that imports it gets jose and nothing of the service', () => {
    const verifier = sources('verifier').flatMap(imports);
    expect([...new Set(verifier)].sort()).toEqual(['jose']);
  });

  it('keeps the client standalone: it imports only its generated schema and openapi-fetch', () => {
    const client = sources('client').flatMap(imports);
    expect([...new Set(client)].sort()).toEqual(['./schema', 'openapi-fetch']);
  });

  it('is really looking: the layer rule sees the imports it judges', () => {
    // runtime.ts builds the adapters; if the scan missed its imports every rule above would pass blind.
    const runtime = relativeImports(join(ROOT, 'functions', 'runtime.ts')).map((t) => relative(ROOT, t));
    expect(runtime).toEqual(expect.arrayContaining(['functions/adapters/dynamodb-store', 'functions/domain/verification-service', 'functions/config']));
  });
});

/** Files of ours that may name `../shared/`: the check that the vendored stand-ins still equal it (where it exists). */
const MAY_READ_SHARED = new Set(['test/emulators.test.ts', '.ci/run']);
const SHARED = resolve(ROOT, '..', 'shared');

const inRepo = (target: string) => target === ROOT || target.startsWith(ROOT + sep);

/** Where the code in `text` (a file at `file`) reaches: relative imports, requires and `__dirname` joins. */
function codeReaches(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*)['"`](\.{1,2}\/[^'"`]*)['"`]/g)].map((m) => m[1]!);
  const joins = [...text.matchAll(/\b(?:join|resolve)\(\s*__dirname\s*((?:,\s*'[^']*'\s*)+)/g)].map((m) =>
    [...m[1]!.matchAll(/'([^']*)'/g)].map((p) => p[1]!).join('/'),
  );
  return [...specifiers, ...joins].map((p) => resolve(dirname(file), p));
}

/** Where shell commands in `text`, run from the repository's root, reach: every `./` or `../` path. */
function commandsReach(text: string): string[] {
  return [...text.matchAll(/(?<![\w./-])(\.\.?\/[^\s'"`)|;&]*|\.\.(?=[\s'"`;&|)]|$))/gm)].map((m) => resolve(ROOT, m[1]!));
}

/** The fenced code blocks of a Markdown file (commands and code a reader copies). */
const codeBlocks = (markdown: string) => [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!).join('\n');

/** Files under `dir` (repository paths), less dependencies, build output, git's own folder and the vendored stand-ins. */
function ourFiles(dir: string): string[] {
  const skip = /^(node_modules|dist|cdk\.out|coverage|\.git|test\/emulators)(\/|$)|\/node_modules(\/|$)/;
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => relative(ROOT, join(ROOT, dir, f)))
    .filter((f) => !skip.test(f) && !f.startsWith('cdk.out') && statSync(join(ROOT, f)).isFile());
}

describe('the repository stands on its own', () => {
  // Every file of ours: the work tree less what git ignores or never holds, and the vendored
  // stand-ins (their READMEs speak of their upstream folder).
  const tracked = ourFiles('.');

  function outside(file: string, targets: string[]): string[] {
    return targets
      .filter((t) => !inRepo(t) && !(MAY_READ_SHARED.has(file) && (t === SHARED || t.startsWith(SHARED + sep))))
      .map((t) => `${file} -> ${relative(ROOT, t)}`);
  }

  it('has no import, require or path of its code reaching outside the repository', () => {
    const code = tracked.filter((f) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f));
    expect(code.length).toBeGreaterThan(50);
    expect(code.flatMap((f) => outside(f, codeReaches(join(ROOT, f), readFileSync(join(ROOT, f), 'utf8'))))).toEqual([]);
  });

  it('has no script, CI step or documented command reaching outside the repository', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const cdk = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string };
    const commands: Record<string, string> = {
      'package.json': Object.values(pkg.scripts).join('\n'),
      'cdk.json': cdk.app,
      '.ci/run': readFileSync(join(ROOT, '.ci/run'), 'utf8'),
    };
    const documents = tracked.filter((f) => /^README(\.[a-z]+)?\.md$/.test(f) || /^docs\/.*\.md$/.test(f));
    for (const f of documents) commands[f] = codeBlocks(readFileSync(join(ROOT, f), 'utf8'));
    expect(Object.keys(commands)).toEqual(expect.arrayContaining(['README.md', 'README.ko.md', 'docs/deploy.md', 'docs/runbook.md']));
    expect(Object.entries(commands).flatMap(([f, text]) => outside(f, commandsReach(text)))).toEqual([]);
  });

  it('points its comments at docs/ or openapi.yaml, never at a contract outside it, and every docs page named exists', () => {
    const code = tracked.filter((f) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f) || /^README(\.[a-z]+)?\.md$/.test(f) || f.startsWith('docs/'));
    const texts = code.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const);
    expect(texts.filter(([, text]) => /\bSPEC\b(?!\.md)/.test(text)).map(([f]) => f)).toEqual([]);
    const named = new Set(
      texts.flatMap(([f, text]) =>
        [...text.matchAll(/\bdocs\/([a-z0-9-]+\.md)\b/g)]
          .map((m) => m[1]!)
          .concat(f.startsWith('docs/') ? [...text.matchAll(/\]\(([a-z0-9-]+\.md)[#)]/g)].map((m) => m[1]!) : []),
      ),
    );
    expect(named.size).toBeGreaterThanOrEqual(6);
    expect([...named].filter((page) => !existsSync(join(ROOT, 'docs', page)))).toEqual([]);
  });

  it('is really looking: each scan sees a path that leaves the repository', () => {
    // The samples write `..` as UP, or this file's own scan would find them.
    const up = (text: string) => text.replaceAll('UP', '..');
    const leaving = (targets: string[]) => targets.filter((t) => !inRepo(t)).map((t) => relative(ROOT, t));
    const file = join(ROOT, 'test', 'support', 'x.ts');
    expect(leaving(codeReaches(file, up("import { a } from 'UP/UP/UP/shared/sens-emulator/sens-emulator.cjs';")))).toEqual([
      '../shared/sens-emulator/sens-emulator.cjs',
    ]);
    expect(leaving(codeReaches(file, up("const b = require('UP/UP/UP/b');")))).toEqual(['../b']);
    expect(leaving(codeReaches(file, up("const c = await import('UP/UP/UP/c.js');")))).toEqual(['../c.js']);
    expect(leaving(codeReaches(file, up("readFileSync(join(__dirname, 'UP', 'UP', 'UP', 'shared', 'SPEC.md'))")))).toEqual(['../shared/SPEC.md']);
    expect(leaving(codeReaches(file, up("import { d } from 'UP/emulators/sens-emulator/sens-emulator.cjs';")))).toEqual([]);
    expect(leaving(commandsReach(up('node UP/shared/sens-emulator/sens-emulator.cjs --port 4010 &')))).toEqual(['../shared/sens-emulator/sens-emulator.cjs']);
    expect(leaving(commandsReach(up('cd UP && npm test')))).toEqual(['..']);
    expect(leaving(commandsReach('node test/emulators/sens-emulator/sens-emulator.cjs && ./node_modules/.bin/jest'))).toEqual([]);
    expect(codeBlocks(up('text\n```sh\nnode UP/x\n```\nmore'))).toBe('node ../x\n');
  });
});
