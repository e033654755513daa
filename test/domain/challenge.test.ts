import { TEST_KEYS } from '../emulators/challenge-emulator/challenge-emulator.cjs';
import { TEST_SECRETS, TEST_SITE_KEYS, challengeRequired } from '../../functions/domain/challenge';
import { ACTION_NOT_ALLOWED, HOSTNAME_NOT_ALLOWED, SCORE_TOO_LOW, judgeSiteverify, type ChallengeRules } from '../../functions/domain/challenge-verdict';

const turnstile: ChallengeRules = { provider: 'turnstile', minScore: 0.5 };
const recaptcha: ChallengeRules = { provider: 'recaptcha', minScore: 0.5 };
const passed = { success: true, challenge_ts: '2030-01-01T00:00:00.000Z', hostname: 'app.example', 'error-codes': [], action: 'send', cdata: '' };

describe('which sends need a challenge token', () => {
  it('always: every send, whatever the guard says', () => {
    expect(challengeRequired('always', { kind: 'clear' })).toBe(true);
    expect(challengeRequired('always', { kind: 'tripped', until: 1, group: 'KR' })).toBe(true);
  });

  it('tripped: only sends to a group the guard tripped without blocking', () => {
    expect(challengeRequired('tripped', { kind: 'clear' })).toBe(false);
    expect(challengeRequired('tripped', { kind: 'tripped', until: 1, group: 'KR' })).toBe(true);
    expect(challengeRequired('tripped', { kind: 'blocked', until: 1, group: '+8210123' })).toBe(false);
  });
});

describe('the services’ documented test keys', () => {
  it('include every test key the independent stand-in knows, for each service', () => {
    expect(TEST_SITE_KEYS.turnstile).toEqual(expect.arrayContaining(Object.values(TEST_KEYS.turnstile.sitekeys)));
    expect(TEST_SECRETS.turnstile).toEqual(expect.arrayContaining(Object.values(TEST_KEYS.turnstile.secrets)));
    expect(TEST_SITE_KEYS.hcaptcha).toContain(TEST_KEYS.hcaptcha.sitekey);
    expect(TEST_SECRETS.hcaptcha).toEqual([TEST_KEYS.hcaptcha.secret]);
    expect(TEST_SITE_KEYS.recaptcha).toEqual([TEST_KEYS.recaptcha.sitekey]);
    expect(TEST_SECRETS.recaptcha).toEqual([TEST_KEYS.recaptcha.secret]);
  });
});

describe('judging a siteverify answer', () => {
  it('passes a success, ignoring members it does not know (the services add some)', () => {
    expect(judgeSiteverify({ ...passed, metadata: { result_with_testing_key: true } }, turnstile)).toEqual({ kind: 'passed' });
  });

  it.each([['invalid-input-response'], ['timeout-or-duplicate'], ['expired-input-response'], ['already-seen-response'], ['invalid-or-already-seen-response']])(
    'refuses the token for the person’s code %s, and says which',
    (code) => {
      expect(judgeSiteverify({ success: false, 'error-codes': [code] }, turnstile)).toEqual({ kind: 'refused', errorCodes: [code] });
    },
  );

  it.each([
    ['internal-error'],
    ['invalid-input-secret'],
    ['missing-input-secret'],
    ['missing-input-response'],
    ['bad-request'],
    ['sitekey-secret-mismatch'],
    ['invalid-remoteip'],
    ['missing-remoteip'],
    ['not-using-dummy-passcode'],
    ['not-using-dummy-secret'],
    ['a-code-nobody-documented'],
  ])('calls %s ours or the service’s, never the person’s (503)', (code) => {
    expect(judgeSiteverify({ success: false, 'error-codes': [code] }, turnstile)).toMatchObject({ kind: 'unavailable' });
  });

  it('calls a failure that mixes a person’s code with ours ours', () => {
    expect(judgeSiteverify({ success: false, 'error-codes': ['invalid-input-response', 'invalid-input-secret'] }, turnstile)).toMatchObject({
      kind: 'unavailable',
    });
  });

  it.each([
    ['not an object', 'garbage'],
    ['an array', [true]],
    ['null', null],
    ['no success', { hostname: 'app.example' }],
    ['a success that is a string', { success: 'true' }],
    ['a failure without codes', { success: false }],
    ['a failure with empty codes', { success: false, 'error-codes': [] }],
    ['a failure with codes that are not strings', { success: false, 'error-codes': [1] }],
  ])('calls an answer that is %s unreadable (503)', (_label, body) => {
    expect(judgeSiteverify(body, turnstile)).toMatchObject({ kind: 'unavailable' });
  });

  it('refuses a host name not listed, compared without case', () => {
    const rules = { ...turnstile, hostnames: ['app.example', 'www.example'] };
    expect(judgeSiteverify({ ...passed, hostname: 'WWW.Example' }, rules)).toEqual({ kind: 'passed' });
    expect(judgeSiteverify({ ...passed, hostname: 'evil.example' }, rules)).toEqual({ kind: 'refused', errorCodes: [HOSTNAME_NOT_ALLOWED] });
    expect(judgeSiteverify({ success: true }, rules)).toEqual({ kind: 'refused', errorCodes: [HOSTNAME_NOT_ALLOWED] });
  });

  it('compares an Android key’s package name exactly', () => {
    const rules = { ...recaptcha, hostnames: ['com.example.app'] };
    expect(judgeSiteverify({ success: true, apk_package_name: 'com.example.app' }, rules)).toEqual({ kind: 'passed' });
    expect(judgeSiteverify({ success: true, apk_package_name: 'com.Example.app' }, rules)).toEqual({ kind: 'refused', errorCodes: [HOSTNAME_NOT_ALLOWED] });
  });

  it('refuses another action than the one configured', () => {
    expect(judgeSiteverify(passed, { ...turnstile, action: 'send' })).toEqual({ kind: 'passed' });
    expect(judgeSiteverify({ ...passed, action: 'login' }, { ...turnstile, action: 'send' })).toEqual({ kind: 'refused', errorCodes: [ACTION_NOT_ALLOWED] });
    expect(judgeSiteverify({ ...passed, action: '' }, { ...turnstile, action: 'send' })).toEqual({ kind: 'refused', errorCodes: [ACTION_NOT_ALLOWED] });
  });

  it('refuses a reCAPTCHA v3 score below the floor, passes one at it, and a v2 answer (no score)', () => {
    expect(judgeSiteverify({ success: true, score: 0.5, action: 'send' }, recaptcha)).toEqual({ kind: 'passed' });
    expect(judgeSiteverify({ success: true, score: 0.4, action: 'send' }, recaptcha)).toEqual({ kind: 'refused', errorCodes: [SCORE_TOO_LOW] });
    expect(judgeSiteverify({ success: true, hostname: 'app.example' }, recaptcha)).toEqual({ kind: 'passed' });
    expect(judgeSiteverify({ success: true, score: '0.9' }, recaptcha)).toMatchObject({ kind: 'unavailable' });
  });

  it('lists every rule a passed token breaks', () => {
    const rules: ChallengeRules = { ...recaptcha, hostnames: ['app.example'], action: 'send' };
    expect(judgeSiteverify({ success: true, hostname: 'evil.example', action: 'login', score: 0.1 }, rules)).toEqual({
      kind: 'refused',
      errorCodes: [HOSTNAME_NOT_ALLOWED, ACTION_NOT_ALLOWED, SCORE_TOO_LOW],
    });
  });
});
