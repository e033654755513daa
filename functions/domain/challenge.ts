import type { ChallengeVerdict, GuardVerdict } from './ports';

/**
 * The bot challenge on send (docs/challenge.md): which sends need a token, the services'
 * documented test keys, and how a siteverify answer is judged. Pure: the HTTP call is the
 * adapter's (functions/adapters/siteverify-verifier.ts).
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

/**
 * The error codes that mean the person's token is no good: unknown or malformed, expired, or
 * already used (the services' error tables; docs/challenge.md). Every other code (a secret or
 * site key it rejects, a malformed request, an internal error, a remote-IP or test-key complaint,
 * a code we have never seen) is our side or theirs: 503, never the person's fault.
 */
const PERSONS_CODES: ReadonlySet<string> = new Set([
  'invalid-input-response',
  'timeout-or-duplicate',
  'expired-input-response',
  'already-seen-response',
  'invalid-or-already-seen-response',
]);

/** The codes phone-verify adds when a passed token fails the environment's own rules (logged like the services' codes). */
export const HOSTNAME_NOT_ALLOWED = 'hostname-not-allowed';
export const ACTION_NOT_ALLOWED = 'action-not-allowed';
export const SCORE_TOO_LOW = 'score-too-low';

/** What a passed token must also show (CHALLENGE_HOSTNAMES, CHALLENGE_ACTION, CHALLENGE_MIN_SCORE). */
export interface ChallengeRules {
  readonly provider: ChallengeProvider;
  /** Host names or Android package names, as the service reports them; unset: any. */
  readonly hostnames?: readonly string[] | undefined;
  /** The widget's action; unset: any. */
  readonly action?: string | undefined;
  /** reCAPTCHA v3's score floor (a v2 answer carries no score). */
  readonly minScore: number;
}

/**
 * A siteverify answer (the parsed JSON body of an HTTP 200) judged against `rules`. A body that
 * is not the services' shape is unavailable: fail closed, never let it through.
 */
export function judgeSiteverify(body: unknown, rules: ChallengeRules): ChallengeVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { kind: 'unavailable', reason: 'the answer is not a JSON object' };
  const answer = body as Record<string, unknown>;
  if (answer.success === false) {
    const codes = answer['error-codes'];
    if (!Array.isArray(codes) || codes.length === 0 || !codes.every((c) => typeof c === 'string'))
      return { kind: 'unavailable', reason: 'a failure without error codes' };
    return codes.every((c) => PERSONS_CODES.has(c))
      ? { kind: 'refused', errorCodes: codes }
      : { kind: 'unavailable', reason: `the service refused our request: ${codes.join(', ')}` };
  }
  if (answer.success !== true) return { kind: 'unavailable', reason: 'the answer has no boolean success' };
  const refusals: string[] = [];
  if (rules.hostnames) {
    // Host names compare without case (DNS); an Android key of reCAPTCHA reports the app's package
    // name instead, which is compared exactly (Android tells packages apart by case).
    const { hostname, apk_package_name: packageName } = answer;
    const allowed =
      typeof hostname === 'string'
        ? rules.hostnames.some((h) => h.toLowerCase() === hostname.toLowerCase())
        : typeof packageName === 'string' && rules.hostnames.includes(packageName);
    if (!allowed) refusals.push(HOSTNAME_NOT_ALLOWED);
  }
  if (rules.action !== undefined && answer.action !== rules.action) refusals.push(ACTION_NOT_ALLOWED);
  if (rules.provider === 'recaptcha' && answer.score !== undefined) {
    if (typeof answer.score !== 'number') return { kind: 'unavailable', reason: 'the score is not a number' };
    if (answer.score < rules.minScore) refusals.push(SCORE_TOO_LOW);
  }
  return refusals.length > 0 ? { kind: 'refused', errorCodes: refusals } : { kind: 'passed' };
}
