import type { RuntimeConfig } from '../config';
import type { ChallengeVerifier } from '../domain/ports';
import type { SecretValue, ServiceSecrets } from './secrets';

/**
 * The configured bot-challenge verifier (the send function's part), or undefined where none is
 * configured. Its code is imported only then: an environment without a challenge never loads it,
 * so its cold start pays nothing for it.
 */
export async function challengeVerifier(config: RuntimeConfig, secrets: ServiceSecrets): Promise<ChallengeVerifier | undefined> {
  const settings = config.challenge;
  if (!settings) return undefined;
  const { SiteverifyVerifier } = await import('./siteverify-verifier.js');
  const local = settings.secret;
  const secret = (): Promise<SecretValue> =>
    local !== undefined
      ? Promise.resolve({ value: local })
      : (secrets.challengeSecret?.read() ?? Promise.resolve({ problem: 'CHALLENGE_SECRET_ARN is not set for this function' }));
  return new SiteverifyVerifier(secret, settings);
}
