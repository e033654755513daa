import type { GuardVerdict } from './ports';

/**
 * The bot challenge on send (docs/challenge.md): which sends need a token, and the services'
 * documented test keys. How an answer is judged is challenge-verdict.ts, which only the verifier
 * loads (where a challenge is configured), so a function without one never carries it.
 */

export const CHALLENGE_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
export type ChallengeProvider = (typeof CHALLENGE_PROVIDERS)[number];

/** `always`: every send needs a token; `tripped`: only sends to a group the SMS-pumping guard tripped without blocking. */
export const CHALLENGE_WHEN = ['always', 'tripped'] as const;
export type ChallengeWhen = (typeof CHALLENGE_WHEN)[number];

/** Whether a send needs a token, given when the environment asks and what the guard says of its destination. */
export function challengeRequired(when: ChallengeWhen, verdict: GuardVerdict): boolean {
  // A blocked group is refused before the challenge; a known person let through a block meets none.
  return when === 'always' || verdict.kind === 'tripped';
}

/**
 * The services' documented test keys: site keys whose widget always hands out a test token, and
 * secrets that pass (or fail) whatever they are given. A production stage refuses the site keys at
 * synth and answers 503 for the secrets (docs/challenge.md, "Test keys").
 */
export const TEST_SITE_KEYS: Readonly<Record<ChallengeProvider, readonly string[]>> = {
  // developers.cloudflare.com/turnstile/troubleshooting/testing/
  turnstile: ['1x00000000000000000000AA', '2x00000000000000000000AB', '1x00000000000000000000BB', '2x00000000000000000000BB', '3x00000000000000000000FF'],
  // docs.hcaptcha.com/#integration-testing-test-keys (the publisher set and the two Enterprise sets)
  hcaptcha: ['10000000-ffff-ffff-ffff-000000000001', '20000000-ffff-ffff-ffff-000000000002', '30000000-ffff-ffff-ffff-000000000003'],
  // developers.google.com/recaptcha/docs/faq (automated tests)
  recaptcha: ['6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI'],
};

export const TEST_SECRETS: Readonly<Record<ChallengeProvider, readonly string[]>> = {
  turnstile: ['1x0000000000000000000000000000000AA', '2x0000000000000000000000000000000AA', '3x0000000000000000000000000000000AA'],
  hcaptcha: ['0x0000000000000000000000000000000000000000'],
  recaptcha: ['6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe'],
};
