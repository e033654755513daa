import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { startChallengeEmulator, type ChallengeEmulator } from '../emulators/challenge-emulator/challenge-emulator.cjs';
import { startLocalServer, type LocalServer } from '../support/local-server';

/** Debian's chromium package; `.ci/run` installs it. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) {
  process.stderr.write('demo page browser test SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');
}

/** Headless Chromium, offline: nothing but the local server is reached (tests route the rest). */
const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM ?? '',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/** The hosts the three services load their widgets from (demo/challenge.ts). */
const WIDGET_HOSTS = ['challenges.cloudflare.com', 'js.hcaptcha.com', 'www.google.com'];

(CHROMIUM ? describe : describe.skip)('the demo page in a real headless Chromium', () => {
  let server: LocalServer;
  let browser: Browser;
  let page: Page;
  /** Every URL the page asked for, anywhere. */
  const requested: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer();
    browser = await launch();
    page = await browser.newPage();
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${server.base}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const message = () => page.locator('#message');
  /** When the page said the code was sent: the countdown is judged against the time since. */
  let sentAt = 0;

  it('sends a code and says where it went', async () => {
    await page.fill('#phone', '010-1234-5678');
    await page.click('#send');
    await page.locator('#message', { hasText: 'Code sent' }).waitFor();
    sentAt = Date.now();
    expect(await message().textContent()).toMatch(/^Code sent to \+821012345678 by SMS\. It works until .+\.$/);
    expect(await page.locator('#code').getAttribute('autocomplete')).toBe('one-time-code');
    expect(await page.isVisible('#check-form')).toBe(true);
  });

  it('shows the cooldown as a countdown on the send button', async () => {
    expect(await page.isDisabled('#send')).toBe(true);
    // 60 s from the send, less what has passed since (a busy machine may take seconds to get here).
    const shown = Number((await page.textContent('#send'))?.match(/^Resend in ([0-9]+) s$/)?.[1]);
    const passed = Math.ceil((Date.now() - sentAt) / 1000);
    expect(shown).toBeLessThanOrEqual(60);
    expect(shown).toBeGreaterThanOrEqual(60 - passed - 1);
    expect(await page.textContent('#cooldown')).toMatch(/^You can ask for a new code in [0-9]+ s\.$/);
  });

  it('shows the problem detail and the attempts left for a wrong code', async () => {
    const code = server.lastCode() ?? '';
    const wrongCode = code.replace(/^./, (d) => String((Number(d) + 1) % 10));
    await page.fill('#code', wrongCode);
    await page.click('#verify');
    await page.locator('#message.error').waitFor();
    expect(await message().textContent()).toBe('The code does not match. 4 attempt(s) left.');
    expect(await message().getAttribute('role')).toBe('alert');
  });

  it('verifies the right code and shows the verified number and token expiry', async () => {
    await page.fill('#code', server.lastCode() ?? '');
    await page.click('#verify');
    await page.locator('#message.success').waitFor();
    expect(await message().textContent()).toMatch(/^Verified \+821012345678\. Your token is valid until .+\.$/);
    expect(await page.isVisible('#check-form')).toBe(false);
  });

  it('shows the server’s resend_too_soon detail and counts down from Retry-After after a reload', async () => {
    await page.reload();
    await page.fill('#phone', '010-1234-5678');
    await page.click('#send');
    await page.locator('#message.error').waitFor();
    expect(await message().textContent()).toBe('A code was sent to this number moments ago. Please wait before asking again.');
    expect(await page.textContent('#send')).toMatch(/^Resend in [0-9]+ s$/);
    expect(await page.isDisabled('#send')).toBe(true);
  });

  it('shows the detail of an invalid number', async () => {
    await page.reload();
    await page.fill('#phone', '02-123-4567');
    await page.click('#send');
    await page.locator('#message.error').waitFor();
    expect(await message().textContent()).toBe('The phone number is not a valid mobile number.');
  });

  it('offers a channel choice, and shows why Alimtalk is refused where it is not configured', async () => {
    await page.reload();
    await page.fill('#phone', '010-9999-0000');
    await page.selectOption('#channel', 'alimtalk');
    await page.click('#send');
    await page.locator('#message.error').waitFor();
    expect(await message().textContent()).toBe('This service does not send codes by KakaoTalk Alimtalk here; ask for "sms".');
  });

  it('loads no challenge widget where no challenge is configured: no script, no request to any service', async () => {
    expect(await page.locator('meta[name="phone-verify-challenge"]').getAttribute('content')).toBe('');
    expect(await page.locator('script[src]').count()).toBe(0);
    expect(requested.length).toBeGreaterThan(5); // the sends above were seen
    expect(requested.filter((url) => WIDGET_HOSTS.includes(new URL(url).hostname))).toEqual([]);
    expect(await page.isVisible('#challenge')).toBe(false);
  });

  it('speaks Korean to a Korean browser (Accept-Language)', async () => {
    const korean = await browser.newPage({ locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko-KR,ko;q=0.9' } });
    try {
      await korean.goto(`${server.base}/`);
      await korean.fill('#phone', '02-123-4567');
      await korean.click('#send');
      await korean.locator('#message.error').waitFor();
      expect(await korean.locator('#message').textContent()).toBe('올바른 휴대폰 번호가 아닙니다. 번호를 다시 확인해 주세요.');
    } finally {
      await korean.close();
    }
  });
});

/**
 * The same page where Turnstile is configured, offline: the widget's script is intercepted at its
 * documented URL and replaced by a stub with Turnstile's explicit-rendering API (render, a
 * callback per token, reset), whose tokens come from the challenge stand-in's own
 * `POST /__emulator/token`, and the server verifies them against that stand-in.
 */
(CHROMIUM ? describe : describe.skip)('the demo page with a bot challenge (Turnstile, against the stand-in)', () => {
  const SITEKEY = '0x4AAAAAAAdemo';
  let emu: ChallengeEmulator;
  let server: LocalServer;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];
  /** The tokens the stand-in handed to the stub, in order. */
  const issued: string[] = [];
  const widgetScripts: string[] = [];

  const STUB = `window.turnstile = {
    render(box, options) {
      const mark = document.createElement('div');
      mark.className = 'stub-turnstile';
      mark.dataset.sitekey = options.sitekey;
      mark.textContent = 'Turnstile (test stub)';
      box.appendChild(mark);
      this.next = () => fetch('https://challenges.cloudflare.com/__stub/token', { method: 'POST' }).then((r) => r.json()).then((j) => options.callback(j.token));
      this.next();
      return 'stub-widget-1';
    },
    reset(id) { if (id === 'stub-widget-1') this.next(); },
  };`;

  beforeAll(async () => {
    emu = await startChallengeEmulator();
    emu.addSite({ service: 'turnstile', sitekey: SITEKEY, secret: '0x4AAAAAAAdemo-secret', hostname: '127.0.0.1' });
    server = await startLocalServer({
      CHALLENGE_PROVIDER: 'turnstile',
      CHALLENGE_SITE_KEY: SITEKEY,
      CHALLENGE_SECRET: '0x4AAAAAAAdemo-secret',
      CHALLENGE_ENDPOINT: emu.url,
      CHALLENGE_HOSTNAMES: '127.0.0.1',
      RESEND_COOLDOWN_SECONDS: '0',
    });
    browser = await launch();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r));
    // Offline: anything but the local server is refused, but the widget's script and the stub's tokens.
    await page.route(
      (url) => url.origin !== server.base,
      (route) => route.abort(),
    );
    await page.route('https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit', (route) => {
      widgetScripts.push(route.request().url());
      return route.fulfill({ contentType: 'text/javascript', body: STUB });
    });
    await page.route('https://challenges.cloudflare.com/__stub/token', async (route) => {
      const answer = await fetch(`${emu.url}/__emulator/token`, { method: 'POST', body: JSON.stringify({ service: 'turnstile', sitekey: SITEKEY }) });
      const { token } = (await answer.json()) as { token: string };
      issued.push(token);
      return route.fulfill({ json: { token }, headers: { 'Access-Control-Allow-Origin': '*' } });
    });
    await page.goto(`${server.base}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await emu?.close();
  }, 30_000);

  const sends = () => requests.filter((r) => r.url() === `${server.base}/v1/verifications` && r.method() === 'POST');

  it('carries the configured widget in the page, and loads its script only once a send needs it', async () => {
    expect(JSON.parse((await page.locator('meta[name="phone-verify-challenge"]').getAttribute('content')) ?? '')).toEqual({
      provider: 'turnstile',
      siteKey: SITEKEY,
    });
    expect(widgetScripts).toEqual([]);
    expect(await page.isVisible('#challenge')).toBe(false);
  });

  it('shows the widget on 403 challenge_required, and sends again with the token it hands out', async () => {
    await page.fill('#phone', '010-1234-5678');
    await page.click('#send');
    await page.locator('#message', { hasText: 'Code sent' }).waitFor();
    expect(widgetScripts).toEqual(['https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit']);
    expect(await page.isVisible('#challenge .stub-turnstile')).toBe(true);
    expect(await page.locator('#challenge .stub-turnstile').getAttribute('data-sitekey')).toBe(SITEKEY);
    const [first, second] = sends();
    expect(first?.postDataJSON()).toEqual({ phoneNumber: '010-1234-5678' });
    expect((await first?.response())?.status()).toBe(403);
    expect(((await (await first?.response())?.json()) as { code: string }).code).toBe('challenge_required');
    expect(second?.postDataJSON()).toEqual({ phoneNumber: '010-1234-5678', challengeToken: issued[0] });
    expect((await second?.response())?.status()).toBe(202);
    // The token reached the service as challengeToken, with the connection's address.
    expect(emu.calls.map((c) => c.input)).toEqual([{ secret: '0x4AAAAAAAdemo-secret', response: issued[0], remoteip: '127.0.0.1' }]);
    expect(emu.refusals).toEqual([]);
  });

  it('asks the widget for a new token for the next send (a token is single use), without a second 403', async () => {
    await page.fill('#phone', '010-2222-3333');
    await page.click('#send');
    await page.locator('#message', { hasText: 'Code sent to +821022223333' }).waitFor();
    const last = sends().at(-1);
    expect(sends()).toHaveLength(3);
    // The widget was reset as soon as the first token was taken, so the second was waiting.
    expect(last?.postDataJSON()).toEqual({ phoneNumber: '010-2222-3333', challengeToken: issued[1] });
    expect(issued[1]).not.toBe(issued[0]);
    expect(emu.refusals).toEqual([]);
    expect(widgetScripts).toHaveLength(1);
  });
});
