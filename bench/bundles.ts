import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { handlerAsset } from '../lib/artifacts';
import { HANDLER_BUILD, buildHandlers } from '../scripts/build';
import { fmt, summarize } from './support';

/** Median time to import `file` in a fresh Node process (what a cold start pays to load code). */
function coldLoadMs(file: string, runs = 20): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const samples = Array.from({ length: runs }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      }),
    ),
  );
  return summarize(samples).p50;
}

export interface BundleFigures {
  readonly table: Record<string, string>;
  /** KB per bundle, and each ÷ the baseline, for the summary line. */
  readonly kb: { readonly send: number; readonly check: number };
  readonly ratios: { readonly sendKb: number; readonly checkKb: number; readonly sendCold: number; readonly checkCold: number };
}

export async function bundles(): Promise<BundleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const baselineEntry = join(__dirname, 'baseline-handler.ts');
  // Exactly as `npm run build` and the construct make them, for the default ALLOWED_COUNTRIES (KR).
  await Promise.all([
    buildHandlers(dir),
    build({ ...HANDLER_BUILD, entryPoints: [baselineEntry], outfile: join(dir, 'baseline.mjs'), sourcemap: false, logLevel: 'silent' }),
  ]);
  const files = {
    baseline: join(dir, 'baseline.mjs'),
    'send-code': join(handlerAsset('send-code', ['KR'], dir), 'index.mjs'),
    'check-code': join(handlerAsset('check-code', ['KR'], dir), 'index.mjs'),
  };
  const sizes = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, statSync(file).size])) as Record<keyof typeof files, number>;
  const loads = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, coldLoadMs(file)])) as Record<keyof typeof files, number>;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const row = (name: keyof typeof files) =>
    `${kb(sizes[name])} (×${(sizes[name] / sizes.baseline).toFixed(2)}), load ${fmt(loads[name])} (×${(loads[name] / loads.baseline).toFixed(2)})`;
  return {
    table: {
      'baseline (DynamoDB document client + GetItem)': `${kb(sizes.baseline)}, load ${fmt(loads.baseline)}`,
      'send-code': row('send-code'),
      'check-code': row('check-code'),
      goal: 'bundle ≤ 420 KB, cold import ≤ ×1.15 of the baseline',
      'phone-verify/client (openapi-fetch inside), min / min+gzip': await clientSize(),
    },
    kb: { send: sizes['send-code'] / 1024, check: sizes['check-code'] / 1024 },
    ratios: {
      sendKb: sizes['send-code'] / sizes.baseline,
      checkKb: sizes['check-code'] / sizes.baseline,
      sendCold: loads['send-code'] / loads.baseline,
      checkCold: loads['check-code'] / loads.baseline,
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
