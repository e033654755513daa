import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface MetadataJson {
  readonly version: number;
  readonly country_calling_codes: Record<string, string[]>;
  readonly countries: Record<string, unknown>;
  readonly nonGeographic?: Record<string, unknown>;
}

/**
 * libphonenumber-js's metadata cut to `countries` and every country that shares a calling code
 * with one of them (`+1` is 25 countries; their metadata refer to each other, and the main
 * country of a code must stay first). Derived from the metadata JSON the package ships: its own
 * generator downloads Google's XML, which these machines cannot reach. Non-geographic codes
 * (+800 …) go: no allowed country can use them (SPEC checks the calling code first).
 */
export function cutPhoneMetadata(countries: readonly string[], full: MetadataJson = fullMetadata()): MetadataJson {
  const wanted = new Set(countries.map((c) => c.toUpperCase()));
  const codes = Object.entries(full.country_calling_codes).filter(([, members]) => members.some((m) => wanted.has(m)));
  const kept = new Set(codes.flatMap(([, members]) => members));
  return {
    version: full.version,
    country_calling_codes: Object.fromEntries(codes),
    countries: Object.fromEntries(Object.entries(full.countries).filter(([country]) => kept.has(country))),
    nonGeographic: {},
  };
}

/**
 * Writes the cut metadata for `countries` to a file named by its content and answers its path,
 * for the esbuild alias that puts it in the place of the full metadata in a Lambda bundle.
 */
export function phoneMetadataFile(countries: readonly string[]): string {
  const text = JSON.stringify(cutPhoneMetadata(countries));
  const dir = join(tmpdir(), 'phone-verify-metadata');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `metadata-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`);
  writeFileSync(file, text);
  return file;
}

function fullMetadata(): MetadataJson {
  return JSON.parse(readFileSync(require.resolve('libphonenumber-js/metadata.max.json'), 'utf8')) as MetadataJson;
}
