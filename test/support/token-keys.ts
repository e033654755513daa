import { generateKeyPairSync } from 'node:crypto';
import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import type { PublishedKey } from '../../functions/domain/token';

/** A P-256 signing key for the tests of this process (PKCS#8 PEM, as `TOKEN_SIGNING_KEY` takes it). */
export const TEST_TOKEN_SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The key set that verifies the tokens of a runtime given `TEST_TOKEN_SIGNING_KEY`, as its JWKS route publishes it. */
export async function testJwks(): Promise<{ keys: PublishedKey[] }> {
  return { keys: [...(await LocalTokenKeys.from(TEST_TOKEN_SIGNING_KEY).publishedKeys())] };
}
