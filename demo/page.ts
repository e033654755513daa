// The demo page's script: the whole flow through phone-verify/client (bundled into the page by
// scripts/build.ts; `npm start` serves it at /). Same origin, so the client's base URL is the page's.
import { createPhoneVerifyClient, PhoneVerifyRequestError, type SendCodeOptions, type SendCodeResult } from '../client';
import { widgetScriptUrl, type DemoChallenge } from './challenge';

// The page is served at the API's root: `/` locally, `/<stage>/` (or `/<stage>`) on API Gateway.
const verify = createPhoneVerifyClient({ baseUrl: location.origin + location.pathname.replace(/\/[^/]*\.html$/, '').replace(/\/$/, '') });
const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
let verifiedNumber = ''; // the E.164 form the server answered with
let countdown: ReturnType<typeof setInterval> | undefined;
let otpAbort: AbortController | undefined;

function show(text: string, kind: '' | 'error' | 'success'): void {
  const box = el<HTMLParagraphElement>('message');
  box.textContent = text;
  box.className = 'message' + (kind ? ' ' + kind : '');
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
}

// Disable "Send code" until `until` (ms), counting down on screen.
function startCooldown(until: number): void {
  clearInterval(countdown);
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    el<HTMLButtonElement>('send').disabled = left > 0;
    el('cooldown').hidden = left <= 0;
    el('cooldown').textContent = left > 0 ? `You can ask for a new code in ${left} s.` : '';
    el('send').textContent = left > 0 ? `Resend in ${left} s` : 'Send code';
    if (left <= 0) clearInterval(countdown);
  };
  tick();
  countdown = setInterval(tick, 250);
}

// WebOTP: on Android Chrome the browser offers the code from the SMS (needs WEBOTP_DOMAIN on the server).
function listenForOtp(): void {
  if (!('OTPCredential' in window)) return;
  otpAbort?.abort();
  otpAbort = new AbortController();
  navigator.credentials
    .get({ otp: { transport: ['sms'] }, signal: otpAbort.signal } as CredentialRequestOptions)
    .then((otp) => {
      el('code').value = (otp as unknown as { code: string }).code;
      el<HTMLFormElement>('check-form').requestSubmit();
    })
    .catch(() => {});
}

function unreachable(error: unknown): void {
  show(error instanceof PhoneVerifyRequestError ? 'The service could not be reached. Try again in a moment.' : (error as Error).message, 'error');
}

// The bot challenge (docs/challenge.md), where the server put one in the page's meta tag. Its
// widget's script is loaded from the service's own URL, and only once a send was answered
// challenge_required: a page without a challenge, or a person never asked, loads nothing.
const challengeMeta = document.querySelector<HTMLMetaElement>('meta[name="phone-verify-challenge"]')?.content;
const challenge = challengeMeta ? (JSON.parse(challengeMeta) as DemoChallenge) : undefined;
let widget: Promise<{ token(): Promise<string> }> | undefined;
let tokenNeeded = false;

/** The explicit-rendering API Turnstile and hCaptcha share: render into a box, a token per callback, reset for the next. */
interface CallbackWidgetApi {
  render(box: HTMLElement, options: Record<string, unknown>): string;
  reset(id: string): void;
}
interface RecaptchaV3Api {
  ready(callback: () => void): void;
  execute(siteKey: string, options: { action: string }): Promise<string>;
}
type WidgetWindow = { turnstile?: CallbackWidgetApi; hcaptcha?: CallbackWidgetApi; grecaptcha?: RecaptchaV3Api };

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('The challenge could not be loaded. Check your connection and try again.'));
    document.head.appendChild(script);
  });
}

async function loadWidget(c: DemoChallenge): Promise<{ token(): Promise<string> }> {
  await loadScript(widgetScriptUrl(c));
  const w = window as unknown as WidgetWindow;
  if (c.provider === 'recaptcha') {
    // v3 is invisible: a fresh token per send, scored by Google.
    const api = w.grecaptcha!;
    return { token: () => new Promise((resolve) => api.ready(() => void api.execute(c.siteKey, { action: c.action ?? 'send_code' }).then(resolve))) };
  }
  const api = (c.provider === 'turnstile' ? w.turnstile : w.hcaptcha)!;
  const box = el<HTMLDivElement>('challenge');
  box.hidden = false;
  let ready: string | undefined;
  let waiting: ((token: string) => void) | undefined;
  const id = api.render(box, {
    sitekey: c.siteKey,
    ...(c.action && { action: c.action }),
    callback: (token: string) => {
      if (waiting) waiting(token);
      else ready = token;
      waiting = undefined;
    },
    'expired-callback': () => (ready = undefined),
  });
  return {
    token() {
      const next = ready !== undefined ? Promise.resolve(ready) : new Promise<string>((resolve) => (waiting = resolve));
      ready = undefined;
      // Single use: the widget starts on the next token as soon as this one is taken.
      return next.then((token) => (api.reset(id), token));
    },
  };
}

function challengeToken(c: DemoChallenge): Promise<string> {
  widget ??= loadWidget(c).catch((error: unknown) => {
    widget = undefined;
    throw error;
  });
  return widget.then((w) => w.token());
}

/** A send, with a fresh token once the server asked for one (a token is spent by every try: docs/challenge.md). */
async function send(phone: string, options: SendCodeOptions): Promise<SendCodeResult> {
  const token = tokenNeeded && challenge ? await challengeToken(challenge) : undefined;
  const sent = await verify.sendCode(phone, { ...options, ...(token !== undefined && { challengeToken: token }) });
  if (sent.ok || sent.problem.code !== 'challenge_required' || !challenge || token !== undefined) return sent;
  tokenNeeded = true;
  show('Please confirm you are a person; the code is sent as soon as you have.', '');
  return verify.sendCode(phone, { ...options, challengeToken: await challengeToken(challenge) });
}

el('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  el<HTMLButtonElement>('send').disabled = true;
  const channel = el<HTMLSelectElement>('channel').value;
  const sent = await send(el('phone').value.trim(), channel === 'sms' || channel === 'alimtalk' ? { channel } : {}).catch(unreachable);
  el<HTMLButtonElement>('send').disabled = false;
  if (!sent) return;
  if (sent.ok) {
    verifiedNumber = sent.data.phoneNumber;
    const expires = new Date(sent.data.expiresAt).toLocaleTimeString();
    const by = sent.data.channel === 'alimtalk' ? ' by KakaoTalk' : ' by SMS';
    show(`Code sent to ${verifiedNumber}${by}. It works until ${expires}.`, '');
    el('check-form').hidden = false;
    el('code').value = '';
    el('code').focus();
    startCooldown(Date.parse(sent.data.resendAvailableAt));
    listenForOtp();
    return;
  }
  show(sent.problem.detail, 'error');
  if (sent.problem.retryAfterSeconds) startCooldown(Date.now() + sent.problem.retryAfterSeconds * 1000);
});

el('check-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  el<HTMLButtonElement>('verify').disabled = true;
  const checked = await verify.checkCode(verifiedNumber, el('code').value.trim()).catch(unreachable);
  el<HTMLButtonElement>('verify').disabled = false;
  if (!checked) return;
  if (checked.ok) {
    otpAbort?.abort();
    const expires = new Date(checked.data.tokenExpiresAt).toLocaleTimeString();
    show(`Verified ${checked.data.phoneNumber}. Your token is valid until ${expires}.`, 'success');
    el('check-form').hidden = true;
    return;
  }
  const { problem } = checked;
  show(problem.code === 'incorrect_code' ? `${problem.detail} ${problem.attemptsRemaining} attempt(s) left.` : problem.detail, 'error');
  if (problem.code === 'too_many_attempts' || problem.code === 'verification_not_found') el('check-form').hidden = true;
});
