import full from 'libphonenumber-js/metadata.max.json';

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
 * generator downloads Google's XML, which these machines cannot reach. (Bundled into dist/cdk.cjs,
 * so a consuming app needs no libphonenumber-js.) Non-geographic codes
 * (+800 …) go: no allowed country can use them (the calling code is checked first: docs/api.md).
 */
export function cutPhoneMetadata(countries: readonly string[], metadata: MetadataJson = full): MetadataJson {
  const wanted = new Set(countries.map((c) => c.toUpperCase()));
  const codes = Object.entries(metadata.country_calling_codes).filter(([, members]) => members.some((m) => wanted.has(m)));
  const kept = new Set(codes.flatMap(([, members]) => members));
  return {
    version: metadata.version,
    country_calling_codes: Object.fromEntries(codes),
    countries: Object.fromEntries(Object.entries(metadata.countries).filter(([country]) => kept.has(country))),
    nonGeographic: {},
  };
}
