import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalServer, type LocalServer } from '../support/local-server';

/** Debian's chromium package; `.ci/run` installs it. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) {
  process.stderr.write('demo page browser test SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');
}

(CHROMIUM ? describe : describe.skip)('the demo page in a real headless Chromium', () => {
  let server: LocalServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startLocalServer();
    browser = await chromium.launch({
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
    page = await browser.newPage();
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
