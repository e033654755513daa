import { SiteverifyVerifier } from '../../functions/adapters/siteverify-verifier';
import type { SecretValue } from '../../functions/adapters/secrets';
import type { ChallengeSettings } from '../../functions/config';
import type { ChallengeProvider } from '../../functions/domain/challenge';
import { startChallengeEmulator, type ChallengeEmulator } from '../emulators/challenge-emulator/challenge-emulator.cjs';
import { FaultProxy } from '../support/fault-proxy';

/**
 * The verifier against the strict stand-in for the three siteverify APIs, vendored byte for byte
 * (test/emulators/challenge-emulator/, written from the services' documentation): never against
 * a fake of ours. Every test says what the stand-in refused, and nothing else.
 */

const SITES = {
  turnstile: { sitekey: '0x4AAAAAAAturnstile', secret: '0x4AAAAAAAturnstile-secret' },
  hcaptcha: { sitekey: 'a1b2c3d4-0000-4000-8000-00000000hcap', secret: '0xhcaptcha-account-secret' },
  recaptcha: { sitekey: '6Lc-recaptcha-site', secret: '6Lc-recaptcha-secret' },
} as const;
const OTHER = {
  turnstile: { sitekey: '0x4AAAAAAAother', secret: '0x4AAAAAAAother-secret' },
  hcaptcha: { sitekey: 'a1b2c3d4-0000-4000-8000-0000000other', secret: '0xhcaptcha-other-account' },
  recaptcha: { sitekey: '6Lc-other-site', secret: '6Lc-other-secret' },
} as const;
const SERVICES: ChallengeProvider[] = ['turnstile', 'hcaptcha', 'recaptcha'];
const TIMEOUT_MS = 300;

let clock = Date.now();
let emu: ChallengeEmulator;

beforeEach(async () => {
  clock = Date.now();
  emu = await startChallengeEmulator({ now: () => clock });
  for (const service of SERVICES) {
    emu.addSite({ service, ...SITES[service], hostname: 'app.example' });
    emu.addSite({ service, ...OTHER[service], hostname: 'app.example' });
  }
  // A second site of the same hCaptcha account (one secret serves several sitekeys).
  emu.addSite({ service: 'hcaptcha', sitekey: 'a1b2c3d4-0000-4000-8000-0000sibling', secret: SITES.hcaptcha.secret, hostname: 'app.example' });
}, 10_000);
afterEach(() => emu.close(), 10_000);

type Settings = Pick<ChallengeSettings, 'provider' | 'siteKey' | 'hostnames' | 'action' | 'minScore' | 'timeoutMs' | 'origin' | 'refuseTestKeys'>;

function verifier(provider: ChallengeProvider, overrides: Partial<Settings> & { secret?: string | SecretValue } = {}) {
  const { secret = SITES[provider].secret, ...settings } = overrides;
  const value: SecretValue = typeof secret === 'string' ? { value: secret } : secret;
  return new SiteverifyVerifier(async () => value, {
    provider,
    siteKey: SITES[provider].sitekey,
    minScore: 0.5,
    timeoutMs: TIMEOUT_MS,
    origin: emu.url,
    refuseTestKeys: false,
    ...settings,
  });
}

const token = (provider: ChallengeProvider, options: Record<string, unknown> = {}) =>
  emu.issueToken({ service: provider, sitekey: SITES[provider].sitekey, ...options });

describe.each(SERVICES)('SiteverifyVerifier for %s against the challenge stand-in', (provider) => {
  it('passes a fresh token of its site: one form POST to the service’s own path with secret, response and remoteip', async () => {
    const t = token(provider);
    expect(await verifier(provider).verify(t, '203.0.113.7')).toEqual({ kind: 'passed' });
    expect(emu.refusals).toEqual([]);
    expect(emu.calls).toHaveLength(1);
    const call = emu.calls[0]!;
    expect(call.path).toBe(new URL(emu.endpoints[provider]).pathname);
    expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call.input).toEqual({
      secret: SITES[provider].secret,
      response: t,
      remoteip: '203.0.113.7',
      ...(provider === 'hcaptcha' && { sitekey: SITES.hcaptcha.sitekey }),
    });
  });

  it('sends no remoteip when API Gateway gave none', async () => {
    await verifier(provider).verify(token(provider), undefined);
    expect(emu.refusals).toEqual([]);
    expect(emu.calls[0]?.input).not.toHaveProperty('remoteip');
  });

  it('refuses an unknown token (the person’s: challenge_failed)', async () => {
    expect(await verifier(provider).verify('forged-token-0123456789', undefined)).toEqual({ kind: 'refused', errorCodes: ['invalid-input-response'] });
    expect(emu.refusals).toEqual([expect.stringContaining('invalid-input-response: token was not issued by')]);
  });

  it('refuses a token used twice', async () => {
    const t = token(provider);
    await verifier(provider).verify(t, undefined);
    const again = await verifier(provider).verify(t, undefined);
    const code = provider === 'hcaptcha' ? 'already-seen-response' : 'timeout-or-duplicate';
    expect(again).toEqual({ kind: 'refused', errorCodes: [code] });
    expect(emu.refusals).toEqual([expect.stringContaining(`${code}: token already`)]);
  });

  it('refuses an expired token (past the service’s lifetime)', async () => {
    const t = token(provider);
    clock += (provider === 'turnstile' ? 300_000 : 120_000) + 1;
    const code = provider === 'hcaptcha' ? 'expired-input-response' : 'timeout-or-duplicate';
    expect(await verifier(provider).verify(t, undefined)).toEqual({ kind: 'refused', errorCodes: [code] });
    expect(emu.refusals).toEqual([expect.stringContaining('token expired')]);
  });

  it('refuses a token made for another site', async () => {
    // hCaptcha: another site of the same account (a site of another account is sitekey-secret-mismatch: below).
    const sitekey = provider === 'hcaptcha' ? 'a1b2c3d4-0000-4000-8000-0000sibling' : OTHER[provider].sitekey;
    const t = emu.issueToken({ service: provider, sitekey });
    expect(await verifier(provider).verify(t, undefined)).toEqual({ kind: 'refused', errorCodes: ['invalid-input-response'] });
    expect(emu.refusals).toEqual([expect.stringContaining(`invalid-input-response: token belongs to`)]);
  });

  it('refuses a token from a host name not in CHALLENGE_HOSTNAMES, and passes one from a listed host', async () => {
    const rules = { hostnames: ['app.example'] };
    expect(await verifier(provider, rules).verify(token(provider, { hostname: 'evil.example' }), undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['hostname-not-allowed'],
    });
    expect(await verifier(provider, rules).verify(token(provider, { hostname: 'App.Example' }), undefined)).toEqual({ kind: 'passed' });
    expect(emu.refusals).toEqual([]);
  });

  it('calls a secret the service does not know ours (503, not the person’s fault)', async () => {
    const verdict = await verifier(provider, { secret: 'a-secret-of-nobody' }).verify(token(provider), undefined);
    expect(verdict).toEqual({ kind: 'unavailable', reason: `${provider}: the service refused our request: invalid-input-secret` });
    expect(emu.refusals).toEqual([expect.stringContaining('invalid-input-secret: secret key is not registered')]);
  });

  it.each([
    ['hang', 'hang' as const],
    ['slow past the limit', 'slow' as const],
  ])('gives up within CHALLENGE_TIMEOUT_MS when the service does not answer (%s)', async (_label, mode) => {
    emu.mode = mode;
    emu.delayMs = TIMEOUT_MS + 500;
    const started = performance.now();
    const verdict = await verifier(provider).verify(token(provider), undefined);
    const elapsed = performance.now() - started;
    expect(verdict).toEqual({ kind: 'unavailable', reason: `${provider} did not answer within ${TIMEOUT_MS} ms` });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_000);
    expect(emu.calls).toHaveLength(mode === 'hang' ? 1 : 0); // the slow answer comes after the limit
    if (mode === 'hang') expect(emu.refusals).toEqual([`${provider} siteverify: injected hang`]);
  });

  it.each([
    ['the connection reset', 'reset' as const, /unreachable/],
    ['an HTTP 500', 'fail500' as const, /answered HTTP 500/],
    ['a 200 with an HTML page', 'garbage' as const, /not JSON/],
  ])('calls %s unavailable (503)', async (_label, mode, reason) => {
    emu.mode = mode;
    const verdict = await verifier(provider).verify(token(provider), undefined);
    expect(verdict).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(reason) });
    expect(emu.refusals).toEqual([`${provider} siteverify: injected ${mode}`]);
  });

  it('calls an unreachable service unavailable', async () => {
    const url = emu.url;
    await emu.close();
    const verdict = await verifier(provider, { origin: url }).verify('any-token', undefined);
    expect(verdict).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/unreachable/) });
    emu = await startChallengeEmulator({ now: () => clock });
  });

  it('never puts the token or the secret in what it says', async () => {
    const t = token(provider);
    emu.mode = 'fail500';
    const verdicts = [
      await verifier(provider).verify(t, undefined),
      await verifier(provider, { secret: 'wrong-secret' }).verify('forged-token-abc', undefined),
    ];
    for (const v of verdicts) {
      expect(JSON.stringify(v)).not.toContain(t);
      expect(JSON.stringify(v)).not.toContain('forged-token-abc');
      expect(JSON.stringify(v)).not.toContain(SITES[provider].secret);
      expect(JSON.stringify(v)).not.toContain('wrong-secret');
    }
  });

  it('answers 503 without a call while the secret is not filled in', async () => {
    const verdict = await verifier(provider, { secret: { problem: 'not filled in yet' } }).verify(token(provider), undefined);
    expect(verdict).toEqual({ kind: 'unavailable', reason: `the ${provider} secret key: not filled in yet` });
    expect(emu.calls).toEqual([]);
  });
});

describe('the services’ documented test keys', () => {
  const tests = () => emu.testKeys;

  it('pass in a stage that is not production', async () => {
    const keys = tests();
    expect(await verifier('turnstile', { secret: keys.turnstile.secrets.pass }).verify(keys.turnstile.token, undefined)).toEqual({ kind: 'passed' });
    expect(await verifier('hcaptcha', { secret: keys.hcaptcha.secret, siteKey: keys.hcaptcha.sitekey }).verify(keys.hcaptcha.token, undefined)).toEqual({
      kind: 'passed',
    });
    const recaptchaToken = emu.issueToken({ service: 'recaptcha', sitekey: keys.recaptcha.sitekey });
    expect(await verifier('recaptcha', { secret: keys.recaptcha.secret }).verify(recaptchaToken, undefined)).toEqual({ kind: 'passed' });
    expect(emu.refusals).toEqual([]);
  });

  it('fail as documented: Turnstile’s “always fails” and “already spent” secrets are the person’s refusals', async () => {
    const keys = tests();
    expect(await verifier('turnstile', { secret: keys.turnstile.secrets.fail }).verify(keys.turnstile.token, undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['invalid-input-response'],
    });
    expect(await verifier('turnstile', { secret: keys.turnstile.secrets.spent }).verify(keys.turnstile.token, undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['timeout-or-duplicate'],
    });
    expect(emu.refusals).toHaveLength(2);
  });

  it.each(SERVICES)('answer 503 in a production stage, without asking %s (a test secret passes any token)', async (provider) => {
    const keys = tests();
    const secret = provider === 'turnstile' ? keys.turnstile.secrets.pass : keys[provider].secret;
    const verdict = await verifier(provider, { secret, refuseTestKeys: true }).verify('XXXX.DUMMY.TOKEN.XXXX', undefined);
    expect(verdict).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('documented test secret') });
    expect(emu.calls).toEqual([]);
  });

  it('calls hCaptcha’s test token with a real secret ours (not-using-dummy-passcode: 503)', async () => {
    const verdict = await verifier('hcaptcha').verify(tests().hcaptcha.token, undefined);
    expect(verdict).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('not-using-dummy-passcode') });
    expect(emu.refusals).toEqual([expect.stringContaining('not-using-dummy-passcode')]);
  });
});

describe('what only one service checks', () => {
  it('Turnstile and reCAPTCHA v3: refuses another action than CHALLENGE_ACTION', async () => {
    expect(await verifier('turnstile', { action: 'send_code' }).verify(token('turnstile', { action: 'login' }), undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['action-not-allowed'],
    });
    expect(await verifier('turnstile', { action: 'send_code' }).verify(token('turnstile', { action: 'send_code' }), undefined)).toEqual({ kind: 'passed' });
    expect(await verifier('recaptcha', { action: 'send_code' }).verify(token('recaptcha', { action: 'login' }), undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['action-not-allowed'],
    });
    expect(emu.refusals).toEqual([]);
  });

  it('reCAPTCHA v3: refuses a score below CHALLENGE_MIN_SCORE, passes one at it', async () => {
    expect(await verifier('recaptcha', { minScore: 0.5 }).verify(token('recaptcha', { score: 0.3 }), undefined)).toEqual({
      kind: 'refused',
      errorCodes: ['score-too-low'],
    });
    expect(await verifier('recaptcha', { minScore: 0.5 }).verify(token('recaptcha', { score: 0.5 }), undefined)).toEqual({ kind: 'passed' });
    expect(emu.refusals).toEqual([]);
  });

  it('reCAPTCHA v2 tokens verify too (no score to judge)', async () => {
    emu.addSite({ service: 'recaptcha', sitekey: '6Lc-v2-site', secret: '6Lc-v2-secret', version: 'v2' });
    const t = emu.issueToken({ service: 'recaptcha', sitekey: '6Lc-v2-site' });
    expect(await verifier('recaptcha', { secret: '6Lc-v2-secret', minScore: 0.9 }).verify(t, undefined)).toEqual({ kind: 'passed' });
    expect(emu.refusals).toEqual([]);
  });

  it('reCAPTCHA Android keys: CHALLENGE_HOSTNAMES names the package', async () => {
    emu.addSite({ service: 'recaptcha', sitekey: '6Lc-android', secret: '6Lc-android-secret', apkPackageName: 'com.example.app' });
    const verify = (hostnames: string[]) =>
      verifier('recaptcha', { secret: '6Lc-android-secret', hostnames }).verify(emu.issueToken({ service: 'recaptcha', sitekey: '6Lc-android' }), undefined);
    expect(await verify(['com.example.app'])).toEqual({ kind: 'passed' });
    expect(await verify(['app.example'])).toEqual({ kind: 'refused', errorCodes: ['hostname-not-allowed'] });
  });

  it('hCaptcha: a token of another account’s site is sitekey-secret-mismatch, which counts as ours (503: docs/challenge.md)', async () => {
    const t = emu.issueToken({ service: 'hcaptcha', sitekey: OTHER.hcaptcha.sitekey });
    expect(await verifier('hcaptcha').verify(t, undefined)).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('sitekey-secret-mismatch') });
    expect(emu.refusals).toEqual([expect.stringContaining('sitekey-secret-mismatch')]);
  });

  it('hCaptcha: a site that requires remoteip answers missing-remoteip without it (ours: 503)', async () => {
    emu.addSite({ service: 'hcaptcha', sitekey: 'b1b2c3d4-0000-4000-8000-0000remote', secret: '0xstrict-account', requireRemoteip: true });
    const t = emu.issueToken({ service: 'hcaptcha', sitekey: 'b1b2c3d4-0000-4000-8000-0000remote' });
    const strict = verifier('hcaptcha', { secret: '0xstrict-account', siteKey: 'b1b2c3d4-0000-4000-8000-0000remote' });
    expect(await strict.verify(t, undefined)).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('missing-remoteip') });
    expect(emu.refusals).toEqual([expect.stringContaining('missing-remoteip')]);
  });
});

describe('faults on the way back (a link in front of the stand-in)', () => {
  let link: FaultProxy;
  beforeEach(async () => {
    link = await FaultProxy.start(emu.url);
  });
  afterEach(() => link.stop());

  it('gives up within the limit when the status line came and the body never does', async () => {
    link.fault = 'stall-body';
    const started = performance.now();
    const verdict = await verifier('turnstile', { origin: link.url }).verify(token('turnstile'), undefined);
    expect(verdict).toEqual({ kind: 'unavailable', reason: `turnstile did not answer within ${TIMEOUT_MS} ms` });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
  });

  it('never follows a redirect: a 307 is unavailable and the secret goes nowhere else', async () => {
    link.fault = 'redirect';
    const verdict = await verifier('turnstile', { origin: link.url }).verify(token('turnstile'), undefined);
    expect(verdict).toEqual({ kind: 'unavailable', reason: 'turnstile answered HTTP 307' });
    expect(emu.requests).toBe(0);
  });

  it('gives up within the limit on a connection that was accepted and never spoke', async () => {
    link.fault = 'silent';
    const verdict = await verifier('turnstile', { origin: link.url }).verify(token('turnstile'), undefined);
    expect(verdict).toEqual({ kind: 'unavailable', reason: `turnstile did not answer within ${TIMEOUT_MS} ms` });
    expect(emu.requests).toBe(0);
  });

  it('calls a 200 whose body is not the services’ JSON unavailable, and a JSON that is not their shape too', async () => {
    link.fault = { swapBody: '{"success":"yes"}' };
    expect(await verifier('turnstile', { origin: link.url }).verify(token('turnstile'), undefined)).toEqual({
      kind: 'unavailable',
      reason: 'turnstile: the answer has no boolean success',
    });
  });
});
