import type { ChallengeProvider } from './challenge';
import type { ChallengeVerdict } from './ports';

/**
 * How a siteverify answer is judged (docs/challenge.md, "What each answer means"). Pure: the HTTP
 * call is the adapter's (functions/adapters/siteverify-verifier.ts), the only module that loads this.
 */

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
