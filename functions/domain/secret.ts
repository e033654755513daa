/**
 * The one length rule for every secret the service keys a hash with (the code-hash secret),
 * wherever it comes from (a variable, Secrets Manager, the hasher itself): at least as many bytes
 * as the SHA-256 output, as RFC 2104 §3 advises for HMAC keys. Tokens are signed with a key pair,
 * not a secret (docs/tokens.md).
 */
export const MIN_SECRET_BYTES = 32;

/** Bytes `secret` holds (a string counts as UTF-8). */
export function secretBytes(secret: string | Uint8Array): number {
  return typeof secret === 'string' ? new TextEncoder().encode(secret).byteLength : secret.byteLength;
}

/** Why `secret` (named `name`) is too short, or undefined when it is long enough. */
export function secretTooShort(name: string, secret: string | Uint8Array): string | undefined {
  const bytes = secretBytes(secret);
  return bytes < MIN_SECRET_BYTES ? `${name} is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES}` : undefined;
}
