import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

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
