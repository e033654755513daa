// The demo page's script: the whole flow through phone-verify/client (bundled into the page by
// scripts/build.ts; `npm start` serves it at /). Same origin, so the client's base URL is the page's.
import { createPhoneVerifyClient, PhoneVerifyRequestError } from '../client';

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
  show(error instanceof PhoneVerifyRequestError ? 'The service could not be reached. Try again in a moment.' : String(error), 'error');
}

el('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  el<HTMLButtonElement>('send').disabled = true;
  const channel = el<HTMLSelectElement>('channel').value;
  const sent = await verify.sendCode(el('phone').value.trim(), channel === 'sms' || channel === 'alimtalk' ? { channel } : {}).catch(unreachable);
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
