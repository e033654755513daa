import { TEST_SECRETS, type ChallengeProvider } from '../domain/challenge';
import { judgeSiteverify } from '../domain/challenge-verdict';
import type { ChallengeVerdict, ChallengeVerifier } from '../domain/ports';
import type { ChallengeSettings } from '../config';
import type { SecretValue } from './secrets';

/**
 * Where each service verifies a token (docs/challenge.md, "What each answer means"). `CHALLENGE_ENDPOINT` replaces the origin
 * only: the path stays the service's own.
 */
export const SITEVERIFY: Readonly<Record<ChallengeProvider, { readonly origin: string; readonly path: string }>> = {
  turnstile: { origin: 'https://challenges.cloudflare.com', path: '/turnstile/v0/siteverify' },
  hcaptcha: { origin: 'https://api.hcaptcha.com', path: '/siteverify' },
  recaptcha: { origin: 'https://www.google.com', path: '/recaptcha/api/siteverify' },
};

/**
 * The siteverify call of Turnstile, hCaptcha and reCAPTCHA: one adapter for the three, because
 * they speak one protocol (a form POST of `secret`, `response` and `remoteip`; a JSON answer
 * with `success` and `error-codes`). What differs is data: the URL, hCaptcha's `sitekey`
 * parameter, and which members an answer carries (judged in functions/domain/challenge.ts).
 *
 * One call per token, under a hard time limit that covers the answer's body too; redirects are
 * never followed (the secret key would go to another host). Every outcome is a verdict, never a
 * throw: anything but a readable answer is `unavailable` (503, fail closed). Reasons name HTTP
 * statuses and error codes, never the token or the secret.
 */
export class SiteverifyVerifier implements ChallengeVerifier {
  private readonly url: string;

  constructor(
    private readonly secret: () => Promise<SecretValue>,
    private readonly settings: Pick<
      ChallengeSettings,
      'provider' | 'siteKey' | 'hostnames' | 'action' | 'minScore' | 'timeoutMs' | 'origin' | 'refuseTestKeys'
    >,
  ) {
    const { origin, path } = SITEVERIFY[settings.provider];
    this.url = `${settings.origin ?? origin}${path}`;
  }

  async verify(token: string, remoteIp: string | undefined): Promise<ChallengeVerdict> {
    const { provider, timeoutMs } = this.settings;
    const signal = AbortSignal.timeout(timeoutMs);
    const late = (): ChallengeVerdict => ({ kind: 'unavailable', reason: `${provider} did not answer within ${timeoutMs} ms` });
    // The secret is read once per container; while it is not filled in it is asked again (secrets.ts), within the same limit.
    const secret = await Promise.race([this.secret(), untilAborted(signal)]);
    if (secret === undefined) return late();
    if ('problem' in secret) return { kind: 'unavailable', reason: `the ${provider} secret key: ${secret.problem}` };
    if (this.settings.refuseTestKeys && TEST_SECRETS[provider].includes(secret.value))
      return { kind: 'unavailable', reason: `the ${provider} secret key is a documented test secret, which passes any token: refused in a production stage` };

    const form = new URLSearchParams({ secret: secret.value, response: token });
    if (remoteIp) form.set('remoteip', remoteIp);
    // hCaptcha's "sitekey you expect to see": a token made for another site of the account is refused.
    if (provider === 'hcaptcha') form.set('sitekey', this.settings.siteKey);
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) return late();
      return { kind: 'unavailable', reason: `${provider} unreachable: ${causeOf(error)}` };
    }
    // The services answer every verdict with HTTP 200; anything else (a 5xx, a redirect, a proxy's page) is theirs.
    if (status < 200 || status >= 300) return { kind: 'unavailable', reason: `${provider} answered HTTP ${status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'unavailable', reason: `${provider} answered HTTP ${status} with a body that is not JSON` };
    }
    const verdict = judgeSiteverify(body, this.settings);
    return verdict.kind === 'unavailable' ? { ...verdict, reason: `${provider}: ${verdict.reason}` } : verdict;
  }
}

/** Resolves undefined when `signal` aborts (never rejects). */
function untilAborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
}

function causeOf(error: unknown): string {
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
