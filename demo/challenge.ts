/**
 * The bot challenge as the demo page knows it (docs/challenge.md): which widget to render with
 * which site key, handed to the page in a meta tag by whoever serves it (`npm start`, or the
 * stack at synth). Plain strings only: the local server and the CDK app import this too.
 */

export type DemoChallengeProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';

export interface DemoChallenge {
  readonly provider: DemoChallengeProvider;
  readonly siteKey: string;
  readonly action?: string | undefined;
}

/** The meta tag demo/index.html carries, empty until the page is served with a challenge. */
export const DEMO_CHALLENGE_META = '<meta name="phone-verify-challenge" content="">';

/** `html` with the challenge in its meta tag (left empty without one: the page then loads no widget). */
export function configureDemoPage(html: string, challenge: DemoChallenge | undefined): string {
  if (!html.includes(DEMO_CHALLENGE_META)) throw new Error(`the demo page has no ${DEMO_CHALLENGE_META} to fill`);
  if (!challenge) return html;
  const { provider, siteKey, action } = challenge;
  const json = JSON.stringify({ provider, siteKey, ...(action !== undefined && { action }) });
  const attribute = json.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return html.replace(DEMO_CHALLENGE_META, () => DEMO_CHALLENGE_META.replace('content=""', `content="${attribute}"`));
}

/** Where each service documents its widget's script, rendered explicitly by the page. */
export function widgetScriptUrl(challenge: DemoChallenge): string {
  switch (challenge.provider) {
    // developers.cloudflare.com/turnstile/get-started/client-side-rendering/ (explicit rendering)
    case 'turnstile':
      return 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
    // docs.hcaptcha.com/configuration (explicit rendering)
    case 'hcaptcha':
      return 'https://js.hcaptcha.com/1/api.js?render=explicit';
    // developers.google.com/recaptcha/docs/v3 (programmatic: render=<site key>, then grecaptcha.execute)
    case 'recaptcha':
      return `https://www.google.com/recaptcha/api.js?render=${encodeURIComponent(challenge.siteKey)}`;
  }
}
