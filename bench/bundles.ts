import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { handlerAsset } from '../lib/artifacts';
import { HANDLER_BUILD, buildHandler, buildHandlers, loadedBytes } from '../scripts/build';
import { fmt, summarize } from './support';

/** Time to import `file` in a fresh Node process with `nodeOptions` (what a cold start pays to load code). */
function coldLoad(file: string, nodeOptions: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: nodeOptions },
      timeout: 30_000,
    }),
  );
}

/**
 * Median cold import of `file` as the function is configured (no NODE_OPTIONS), and with
 * `--enable-source-maps`, the flag it no longer pays for, interleaved so a busy machine weighs on
 * both alike.
 */
function coldLoads(file: string, runs = 20): { configured: number; sourceMaps: number } {
  const configured: number[] = [];
  const sourceMaps: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    configured.push(coldLoad(file, ''));
    sourceMaps.push(coldLoad(file, '--enable-source-maps'));
  }
  return { configured: summarize(configured).p50, sourceMaps: summarize(sourceMaps).p50 };
}

/**
 * The send bundle as it was before the aws and lambda providers: their modules replaced by
 * nothing. Its cold import against the real one (SENS only configured) is the cost of having them.
 */
const withoutNewProviders: Plugin = {
  name: 'without-new-providers',
  setup(b) {
    b.onResolve({ filter: /\/(aws|lambda)-sms-sender(\.js)?$/ }, (args) => ({ path: args.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export interface BundleFigures {
  readonly table: Record<string, string>;
  /** KB per bundle, and each ÷ the baseline, for the summary line. */
  readonly kb: { readonly send: number; readonly check: number };
  readonly ratios: {
    readonly sendKb: number;
    readonly checkKb: number;
    readonly sendCold: number;
    readonly checkCold: number;
    /** The send bundle's cold import ÷ the same bundle without the aws and lambda providers. */
    readonly providersCold: number;
  };
}

export async function bundles(): Promise<BundleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const baselineEntry = join(__dirname, 'baseline-handler.ts');
  // Exactly as `npm run build` and the construct make them, for the default ALLOWED_COUNTRIES (KR).
  await Promise.all([
    buildHandlers(dir),
    build({ ...HANDLER_BUILD, entryPoints: [baselineEntry], outfile: join(dir, 'baseline.mjs'), sourcemap: false, logLevel: 'silent' }),
    buildHandler(join(__dirname, '..', 'functions', 'send-code.ts'), join(dir, 'send-before-providers'), {
      plugins: [withoutNewProviders],
      logLevel: 'silent',
    }),
  ]);
  // The metadata file the bundle reads at start, as the construct puts it beside the bundle.
  const sendAsset = handlerAsset('send-code', ['KR'], dir);
  const before = join(dir, 'send-before-providers');
  copyFileSync(join(sendAsset, 'phone-metadata.json'), join(before, 'phone-metadata.json'));
  const files = {
    baseline: join(dir, 'baseline.mjs'),
    'send-code': join(sendAsset, 'index.mjs'),
    'check-code': join(handlerAsset('check-code', ['KR'], dir), 'index.mjs'),
    'send-code before the aws and lambda providers': join(before, 'index.mjs'),
  };
  // What a cold import loads: index.mjs and its static imports (chunks loaded on demand are not).
  const sizes = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, loadedBytes(file)])) as Record<keyof typeof files, number>;
  const measured = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, coldLoads(file)])) as Record<
    keyof typeof files,
    { configured: number; sourceMaps: number }
  >;
  const loads = {
    baseline: measured.baseline.configured,
    'send-code': measured['send-code'].configured,
    'check-code': measured['check-code'].configured,
    'send-code before the aws and lambda providers': measured['send-code before the aws and lambda providers'].configured,
  };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const row = (name: keyof typeof files) =>
    `${kb(sizes[name])} (×${(sizes[name] / sizes.baseline).toFixed(2)}), load ${fmt(loads[name])} (×${(loads[name] / loads.baseline).toFixed(2)})`;
  return {
    table: {
      'baseline (DynamoDB document client + GetItem)': `${kb(sizes.baseline)}, load ${fmt(loads.baseline)}`,
      'send-code': row('send-code'),
      'check-code': row('check-code'),
      'cold import as configured / with --enable-source-maps': (['send-code', 'check-code'] as const)
        .map((name) => `${name} ${fmt(measured[name].configured)} / ${fmt(measured[name].sourceMaps)}`)
        .join(', '),
      'send-code, SENS only, against the same bundle without the aws and lambda providers': `${fmt(loads['send-code'])} / ${fmt(
        loads['send-code before the aws and lambda providers'],
      )} (×${(loads['send-code'] / loads['send-code before the aws and lambda providers']).toFixed(3)}; goal ≤ ×1.05)`,
      goal: 'bundle ≤ 420 KB, cold import ≤ ×1.15 of the baseline',
      'phone-verify/client (openapi-fetch inside), min / min+gzip': await clientSize(),
    },
    kb: { send: sizes['send-code'] / 1024, check: sizes['check-code'] / 1024 },
    ratios: {
      sendKb: sizes['send-code'] / sizes.baseline,
      checkKb: sizes['check-code'] / sizes.baseline,
      sendCold: loads['send-code'] / loads.baseline,
      checkCold: loads['check-code'] / loads.baseline,
      providersCold: loads['send-code'] / loads['send-code before the aws and lambda providers'],
    },
  };
}

/** What the typed client adds to a web app: minified ESM, and gzipped as a server sends it. */
async function clientSize(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, '..', 'client', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return `${(code.length / 1024).toFixed(1)} KB / ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(1)} KB`;
}
