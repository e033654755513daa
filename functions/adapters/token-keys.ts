import type { TokenKeySource } from '../config';
import type { TokenKeys } from '../domain/token';
import { KmsTokenKeys, kmsClient } from './kms-token-keys';
import { LocalTokenKeys } from './local-token-keys';

let processKey: LocalTokenKeys | undefined;

/**
 * The configured token keys (the check function's part): KMS by key ARN, or a local P-256 key
 * (`TOKEN_SIGNING_KEY`, or one random key for the whole process, so every runtime of `npm start`
 * signs and publishes the same). Undefined where this function signs nothing.
 */
export function tokenKeys(source: TokenKeySource): TokenKeys | undefined {
  switch (source.kind) {
    case 'kms':
      return new KmsTokenKeys(kmsClient(), source.signingKeyArn, source.publishedKeyArns);
    case 'local':
      if (source.privateKeyPem !== undefined) return LocalTokenKeys.from(source.privateKeyPem);
      processKey ??= LocalTokenKeys.from(undefined);
      return processKey;
    case 'none':
      return undefined;
  }
}
