/** Renders the CORS headers of a CorsPolicy (parsed from CORS_ALLOWED_ORIGINS by functions/config.ts). */
import type { CorsPolicy } from '../config';

/** No browser origin at all: what a request gets before the settings are read. */
export const NO_BROWSER_ORIGIN: CorsPolicy = { allowAnyOrigin: false, origins: new Set() };

/** Every origin: the public JWKS, whatever `CORS_ALLOWED_ORIGINS` says (docs/api.md). */
export const ANY_ORIGIN: CorsPolicy = { allowAnyOrigin: true };

/** Headers browser code must be able to read (docs/api.md, "Browsers (CORS)"). */
export const EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'] as const;
/** What a preflight may ask for. */
export const ALLOWED_REQUEST_HEADERS = ['Content-Type', 'Idempotency-Key'] as const;

/**
 * CORS headers for a response to `origin`. A disallowed origin gets none, so it never sees its
 * own origin or `*` echoed back. `Vary: Origin` whenever the answer depends on the origin.
 */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (policy.allowAnyOrigin) {
    return { 'Access-Control-Allow-Origin': '*', Vary: 'Origin', 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', ') };
  }
  if (origin === undefined || !policy.origins.has(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', ') };
}

/** The 204 answer to a preflight (`OPTIONS`), as API Gateway gives it. */
export function preflightHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  const base = corsHeaders(policy, origin);
  if (!base['Access-Control-Allow-Origin']) return base;
  return {
    ...base,
    'Access-Control-Allow-Methods': 'OPTIONS,POST',
    'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(','),
    'Access-Control-Max-Age': '600',
  };
}
