import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cutPhoneMetadata } from './phone-metadata';
import { configureDemoPage, type DemoChallenge } from '../demo/challenge';

/** The Lambda handlers `npm run build` bundles into dist/handlers/<name>/index.mjs: the two HTTP ones and the events function. */
export const HANDLERS = ['send-code', 'check-code', 'events'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** The file next to a handler bundle that holds its phone metadata (the bundle reads it at start). */
export const PHONE_METADATA_FILE = 'phone-metadata.json';

/** This package's dist/: beside this code once it is bundled there (dist/cdk.cjs), ../dist from lib/ in the repo. */
const DIST = basename(__dirname) === 'dist' ? __dirname : join(__dirname, '..', 'dist');

/** Where `npm run build` puts the handler bundles. */
export const BUILT_HANDLERS = join(DIST, 'handlers');

function built(...path: string[]): string {
  const file = join(...path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (it bundles the handlers and the demo page)`);
  return file;
}

/**
 * A folder for Code.fromAsset: the prebuilt bundle of `handler` (index.mjs, the chunks it loads on
 * demand, their source maps), and phone metadata cut to `countries` (a few KB for KR instead of
 * 145 KB). Named by its content, so a synth that changes nothing stages nothing new. (`bundles`:
 * another build's folder, for tests.)
 */
export function handlerAsset(handler: HandlerName, countries: readonly string[], bundles = BUILT_HANDLERS): string {
  const dir = built(bundles, handler, 'index.mjs').slice(0, -'/index.mjs'.length);
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(dir).sort()) if (/\.mjs(\.map)?$/.test(name)) files[name] = readFileSync(join(dir, name));
  built(bundles, handler, 'index.mjs.map');
  files[PHONE_METADATA_FILE] = Buffer.from(JSON.stringify(cutPhoneMetadata(countries)));
  const hash = createHash('sha256');
  for (const [name, content] of Object.entries(files)) hash.update(name).update(content);
  const asset = join(tmpdir(), 'phone-verify-assets', `${handler}-${hash.digest('hex').slice(0, 16)}`);
  mkdirSync(asset, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(asset, name), content);
  return asset;
}

/** demo/index.html with the page's script (demo/page.ts and the typed client) bundled inside, and the stage's bot challenge, if any. */
export function demoPageHtml(challenge?: DemoChallenge): string {
  return configureDemoPage(readFileSync(built(DIST, 'demo.html'), 'utf8'), challenge);
}
