/**
 * `npm run build`: everything the package ships, in dist/.
 * - index.{cjs,mjs}: the token verifier (`phone-verify`), jose inside.
 * - client.{cjs,mjs}: the typed API client (`phone-verify/client`), openapi-fetch inside.
 * - cdk.cjs: the PhoneVerification construct (`phone-verify/cdk`); aws-cdk-lib and constructs stay outside (peers).
 * - handlers/<name>/index.mjs: the Lambda bundles the construct deploys, so no consumer runs esbuild.
 * - demo.html: the demo page with its script bundled in.
 * - *.d.ts: types of the three entry points.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HANDLERS, PHONE_METADATA_FILE } from '../lib/artifacts';

const ROOT = join(__dirname, '..');

/** The module functions/domain/phone.ts imports its metadata from (the full 145 KB of it). */
export const PHONE_METADATA_MODULE = 'libphonenumber-js/metadata.max.json';

/**
 * In a handler bundle the metadata is read at start from the file beside the bundle, which the
 * construct writes cut to the stage's countries (lib/artifacts.ts).
 */
const metadataBesideBundle: Plugin = {
  name: 'phone-metadata-beside-bundle',
  setup(b) {
    b.onResolve({ filter: /^libphonenumber-js\/metadata\.max\.json$/ }, () => ({ path: PHONE_METADATA_MODULE, namespace: 'phone-metadata' }));
    b.onLoad({ filter: /.*/, namespace: 'phone-metadata' }, () => ({
      loader: 'js',
      contents: `import { readFileSync } from 'node:fs';\nexport default JSON.parse(readFileSync(new URL('./${PHONE_METADATA_FILE}', import.meta.url), 'utf8'));`,
    }));
  },
};

/** esbuild options of a Lambda handler bundle: one minified ESM file for Node.js 24, with a source map. */
export const HANDLER_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // The AWS SDK goes inside: no reliance on the runtime's copy.
  external: [],
  // The ESM builds of the SDK and its kin, which tree-shake; `main` where a package has no other.
  mainFields: ['module', 'main'],
  // Some bundled CommonJS calls require() for Node built-ins, which plain ESM lacks
  // ("Dynamic require of node:https is not supported" without this line).
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  plugins: [metadataBesideBundle],
  logLevel: 'warning',
};

/**
 * Bundles one handler (`entry`) into `outdir`: index.mjs (with a source map) and, split off, the
 * chunks it imports only on demand (an SMS provider's AWS client that a function never loads
 * unless SMS_PROVIDER lists it), beside it so `import.meta.url` finds the phone metadata.
 * (`plugins`: more besides the metadata's, for the bench's variants.)
 */
export function buildHandler(entry: string, outdir: string, extra: { readonly plugins?: Plugin[]; readonly logLevel?: BuildOptions['logLevel'] } = {}) {
  return build({
    ...HANDLER_BUILD,
    ...(extra.logLevel && { logLevel: extra.logLevel }),
    plugins: [...(HANDLER_BUILD.plugins ?? []), ...(extra.plugins ?? [])],
    entryPoints: { index: entry },
    outdir,
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
  });
}

/** Bundles every handler into `outdir`/<name>/ (see `buildHandler`). */
export async function buildHandlers(outdir: string): Promise<void> {
  await Promise.all(HANDLERS.map((name) => buildHandler(join(ROOT, 'functions', `${name}.ts`), join(outdir, name))));
}

/**
 * The files a handler's cold import loads: index.mjs and the chunks it imports statically, not
 * those it loads on demand (`import("./chunk-…")`). What the size budget and the bench measure.
 */
export function staticClosure(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) {
      const next = join(dirname(file), name!);
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen];
}

/** The bytes a handler's cold import loads (`staticClosure`): what the size budget and the bench weigh. */
export function loadedBytes(entry: string): number {
  return staticClosure(entry).reduce((sum, file) => sum + statSync(file).size, 0);
}

/** demo/index.html with demo/page.ts (and the client it imports) bundled into its script tag. */
export async function buildDemoPage(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'demo', 'page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  const script = result.outputFiles[0]!.text.replaceAll('</script', '<\\/script');
  const html = readFileSync(join(ROOT, 'demo', 'index.html'), 'utf8');
  const placeholder = '<script src="page.js"></script>';
  if (!html.includes(placeholder)) throw new Error(`demo/index.html: no ${placeholder} to fill`);
  return html.replace(placeholder, () => `<script>${script}</script>`);
}

async function main(): Promise<void> {
  const dist = join(ROOT, 'dist');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist);
  const library = (entry: string, out: string, options: BuildOptions) =>
    (['cjs', 'esm'] as const).map((format) =>
      build({
        entryPoints: [join(ROOT, entry)],
        outfile: join(dist, `${out}.${format === 'cjs' ? 'cjs' : 'mjs'}`),
        bundle: true,
        format,
        logLevel: 'warning',
        ...options,
      }),
    );
  await Promise.all([
    ...library('index.ts', 'index', { platform: 'node', target: 'node20' }),
    ...library('client/index.ts', 'client', { platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'] }),
    build({
      entryPoints: [join(ROOT, 'lib', 'cdk.ts')],
      outfile: join(dist, 'cdk.cjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
      logLevel: 'warning',
    }),
    buildHandlers(join(dist, 'handlers')),
    buildDemoPage().then((html) => writeFileSync(join(dist, 'demo.html'), html)),
  ]);
  execFileSync(process.execPath, [join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
