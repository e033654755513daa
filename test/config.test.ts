import { ConfigError, readConfig, readEventsConfig } from '../functions/config';

const expectRefused = (env: Record<string, string>, variable: string) => {
  expect(() => readConfig(env)).toThrow(ConfigError);
  expect(() => readConfig(env)).toThrow(variable);
};

describe('readConfig', () => {
  it('has the spec defaults', () => {
    const config = readConfig({});
    expect(config.policy).toEqual({
      codeLength: 6,
      codeTtlMs: 300_000,
      maxCheckAttempts: 5,
      maxFailedGuesses: 50,
      lockMaxMs: 86_400_000,
      resendCooldownMs: 60_000,
      maxSendsPerDay: 5,
      smsTimeoutMs: 5000,
      smsBudgetPerHour: 1000,
      maxSendsPerPrefixPerHour: 30,
      testNumbers: new Map(),
    });
    expect(config.limitsTableName).toBe('phone-verify-local-limits');
    expect([...config.allowedCountries]).toEqual(['KR']);
    expect(config.token).toEqual({ issuer: 'phone-verify/local', audience: 'phone-verify', ttlSeconds: 600 });
    expect(config.smsProviders).toEqual(['console']);
    expect(config.sens.endpoint).toBe('https://sens.apigw.ntruss.com');
    expect(config.cors).toEqual({ allowAnyOrigin: true });
    expect(config.message.template).toBe('[phone-verify] 인증번호 [{code}]를 입력해주세요.');
  });

  it('defaults the issuer to the stage and SENS inside Lambda', () => {
    const config = readConfig({ STAGE: 'dev', AWS_LAMBDA_FUNCTION_NAME: 'f', CODE_HASH_SECRET_ARN: 'b', SENS_SECRET_ARN: 'c' });
    expect(config.token.issuer).toBe('phone-verify/dev');
    expect(config.smsProviders).toEqual(['sens']);
  });

  it.each([
    ['CODE_LENGTH', '3'],
    ['CODE_LENGTH', '11'],
    ['CODE_LENGTH', 'six'],
    ['CODE_LENGTH', '6.5'],
    ['CODE_TTL_SECONDS', '0'],
    ['CODE_TTL_SECONDS', '601'],
    ['MAX_CHECK_ATTEMPTS', '0'],
    ['MAX_CHECK_ATTEMPTS', '11'],
    ['RESEND_COOLDOWN_SECONDS', '-1'],
    ['RESEND_COOLDOWN_SECONDS', '3601'],
    ['MAX_SENDS_PER_DAY', '0'],
    ['MAX_SENDS_PER_DAY', '101'],
    ['TOKEN_TTL_SECONDS', '29'],
    ['TOKEN_TTL_SECONDS', '86401'],
    ['SMS_TIMEOUT_MS', '999'],
    ['SMS_TIMEOUT_MS', '20001'],
    ['SMS_TIMEOUT_MS', '30001'],
    ['SMS_BUDGET_PER_HOUR', '-1'],
    ['SMS_BUDGET_PER_HOUR', '1000001'],
    ['MAX_SENDS_PER_PREFIX_PER_HOUR', '10001'],
    ['MAX_SENDS_PER_PREFIX_PER_HOUR', '3.5'],
    ['ALLOWED_COUNTRIES', 'KR,XX'],
    ['ALLOWED_COUNTRIES', ','],
    ['SMS_PROVIDER', 'twilio'],
    ['ANDROID_APP_HASH', 'short'],
    ['ANDROID_APP_HASH', 'FA+9qCX9VS!'],
    ['WEBOTP_DOMAIN', 'https://example.com'],
    ['WEBOTP_DOMAIN', 'exa mple.com'],
    ['MESSAGE_TEMPLATE', 'no placeholder'],
    ['CODE_HASH_SECRET', 'too-short'],
    ['MAX_FAILED_GUESSES', '0'],
    ['MAX_FAILED_GUESSES', '101'],
    ['LOCK_SECONDS', '59'],
    ['LOCK_SECONDS', '604801'],
    ['TOKEN_KEY_ID', 'alias/phone-verify/prod/token'],
    ['TOKEN_KEY_ID', 'arn:aws:kms:ap-northeast-2:123456789012:alias/token'],
    ['SENS_ENDPOINT', 'ftp://x'],
    ['SENS_ENDPOINT', 'http://x y'],
    ['SENS_ENDPOINT', 'http://sens.example.com'],
    ['SENS_ENDPOINT', 'sens.apigw.ntruss.com'],
    ['SENS_ENDPOINT', 'https://user:pw@sens.example.com'],
    ['TEST_NUMBERS', '+821012340000'],
    ['TEST_NUMBERS', '+821012340000=12345'],
    ['TEST_NUMBERS', '+12025550143=123456'],
    ['TEST_NUMBERS', '02-123-4567=123456'],
    ['TEST_NUMBERS', '+821012340000=123456=1'],
    ['TEST_NUMBERS', Array.from({ length: 11 }, (_, i) => `+8210123400${String(i).padStart(2, '0')}=123456`).join(',')],
    ['CODE_LENGTH', ' 6 '],
    ['CODE_LENGTH', '06'],
    ['CODE_LENGTH', '6e0'],
    ['CODE_LENGTH', '+6'],
    ['MAX_SENDS_PER_DAY', '0x5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expectRefused({ [name]: value }, name);
  });

  it.each(['https://sens.apigw.ntruss.com', 'http://127.0.0.1:4010', 'http://localhost:4010/', 'http://[::1]:4010'])('accepts SENS_ENDPOINT=%s', (url) => {
    expect(readConfig({ SENS_ENDPOINT: url }).sens.endpoint).toBe(url);
  });

  it('reads TEST_NUMBERS into E.164 → code, and never names a number in full when refusing one', () => {
    expect([...readConfig({ TEST_NUMBERS: '+821012340000=123456, 010-1234-0001=000001' }).policy.testNumbers]).toEqual([
      ['+821012340000', '123456'],
      ['+821012340001', '000001'],
    ]);
    expect(() => readConfig({ TEST_NUMBERS: '+821012340000=12' })).toThrow('TEST_NUMBERS entry 1 (+82 10-****-0000): the code must be 6 digits (CODE_LENGTH)');
  });

  it.each([
    [{ MESSAGE_CHANNEL: 'fax' }, 'MESSAGE_CHANNEL must be "sms" or "alimtalk"'],
    [{ MESSAGE_CHANNEL: 'alimtalk' }, 'MESSAGE_CHANNEL=alimtalk needs ALIMTALK_TEMPLATE_CODE and ALIMTALK_TEMPLATE'],
    [{ ALIMTALK_TEMPLATE: '[x] {code}' }, 'ALIMTALK_TEMPLATE_CODE must be set'],
    [{ ALIMTALK_TEMPLATE_CODE: 'T', ALIMTALK_TEMPLATE: 'no variable' }, 'ALIMTALK_TEMPLATE must contain {code}'],
    [{ ALIMTALK_TEMPLATE_CODE: 'T', ALIMTALK_TEMPLATE: `{code}${'가'.repeat(995)}` }, 'ALIMTALK_TEMPLATE renders to 1001 characters'],
    [
      {
        ALIMTALK_TEMPLATE_CODE: 'T',
        ALIMTALK_TEMPLATE: '{code}',
        SMS_PROVIDER: 'sens',
        SENS_SERVICE_ID: 's',
        SENS_ACCESS_KEY: 'a',
        SENS_SECRET_KEY: 'k',
        SENS_FROM: '021234',
        SENS_PLUS_FRIEND_ID: '@x',
      },
      'Alimtalk needs its service id and KakaoTalk channel id: set SENS_ALIMTALK_SERVICE_ID and SENS_PLUS_FRIEND_ID',
    ],
  ])('refuses the Alimtalk settings %j, naming what to fix', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it('configures Alimtalk as the default channel when every setting is there', () => {
    const config = readConfig({ MESSAGE_CHANNEL: 'alimtalk', ALIMTALK_TEMPLATE_CODE: 'VERIFY', ALIMTALK_TEMPLATE: '인증번호 [{code}]' });
    expect({ channel: config.message.defaultChannel, alimtalk: config.message.alimtalk }).toEqual({
      channel: 'alimtalk',
      alimtalk: { templateCode: 'VERIFY', template: '인증번호 [{code}]' },
    });
  });

  it('accepts the small values tests and demos use', () => {
    expect(readConfig({ CODE_TTL_SECONDS: '2', RESEND_COOLDOWN_SECONDS: '0' }).policy).toMatchObject({ codeTtlMs: 2000, resendCooldownMs: 0 });
  });

  it('refuses a template that no longer fits one SMS once the auto-fill lines are added', () => {
    const template = '[phone-verify] 인증번호 [{code}]를 입력해주세요. 타인에게 알려주지 마세요.'; // 74 bytes with 6 digits
    expect(() => readConfig({ MESSAGE_TEMPLATE: template })).not.toThrow();
    expectRefused({ MESSAGE_TEMPLATE: template, WEBOTP_DOMAIN: 'verify.example.com' }, 'MESSAGE_TEMPLATE');
    // Boundary: 74 + 4 more digits + LF + 11-character hash = exactly 90 bytes fits; one more does not.
    expect(() => readConfig({ MESSAGE_TEMPLATE: template, CODE_LENGTH: '10', ANDROID_APP_HASH: 'FA+9qCX9VSu' })).not.toThrow();
    expectRefused({ MESSAGE_TEMPLATE: `${template}!`, CODE_LENGTH: '10', ANDROID_APP_HASH: 'FA+9qCX9VSu' }, 'MESSAGE_TEMPLATE');
  });

  it('accepts both auto-fill lines with the default template', () => {
    expect(readConfig({ ANDROID_APP_HASH: 'FA+9qCX9VSu', WEBOTP_DOMAIN: 'example.com' }).message).toEqual({
      template: '[phone-verify] 인증번호 [{code}]를 입력해주세요.',
      androidAppHash: 'FA+9qCX9VSu',
      webOtpDomain: 'example.com',
      defaultChannel: 'sms',
    });
  });

  it('refuses the console provider inside Lambda, where it would log codes', () => {
    expectRefused({ AWS_LAMBDA_FUNCTION_NAME: 'f', SMS_PROVIDER: 'console', CODE_HASH_SECRET_ARN: 'b' }, 'SMS_PROVIDER');
  });

  it('refuses plain-variable secrets inside Lambda', () => {
    expectRefused({ AWS_LAMBDA_FUNCTION_NAME: 'f', CODE_HASH_SECRET: 'x'.repeat(40) }, 'CODE_HASH_SECRET_ARN');
  });

  const KEY = 'arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const NEXT = 'arn:aws:kms:ap-northeast-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef';

  it('signs tokens in KMS by key ARN, publishing the keys named beside it', () => {
    expect(readConfig({ TOKEN_KEY_ID: KEY, TOKEN_PUBLISHED_KEY_IDS: ` ${NEXT} ,` }).tokenKeys).toEqual({
      kind: 'kms',
      signingKeyArn: KEY,
      publishedKeyArns: [NEXT],
    });
    expect(readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'f', CODE_HASH_SECRET_ARN: 'h', TOKEN_KEY_ID: KEY }).tokenKeys).toMatchObject({ kind: 'kms' });
  });

  it('signs with a local key only locally, and a function without TOKEN_KEY_ID signs nothing', () => {
    expect(readConfig({}).tokenKeys).toEqual({ kind: 'local', privateKeyPem: undefined });
    expect(readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'f', CODE_HASH_SECRET_ARN: 'h' }).tokenKeys).toEqual({ kind: 'none' });
    expectRefused({ AWS_LAMBDA_FUNCTION_NAME: 'f', CODE_HASH_SECRET_ARN: 'h', TOKEN_SIGNING_KEY: 'pem' }, 'TOKEN_SIGNING_KEY');
    expectRefused({ TOKEN_SIGNING_KEY: 'pem', TOKEN_KEY_ID: KEY }, 'TOKEN_SIGNING_KEY');
    expectRefused({ TOKEN_PUBLISHED_KEY_IDS: NEXT }, 'TOKEN_PUBLISHED_KEY_IDS');
    expectRefused({ TOKEN_KEY_ID: KEY, TOKEN_PUBLISHED_KEY_IDS: 'alias/old' }, 'TOKEN_PUBLISHED_KEY_IDS');
  });

  it('needs every SENS variable locally when SMS_PROVIDER=sens', () => {
    expectRefused({ SMS_PROVIDER: 'sens', SENS_SERVICE_ID: 's', SENS_ACCESS_KEY: 'a', SENS_SECRET_KEY: 'k' }, 'SENS_FROM');
  });

  it('refuses * as the CORS origin in prod, and allows no browser origin there by default', () => {
    expectRefused({ STAGE: 'prod', CORS_ALLOWED_ORIGINS: '*' }, 'CORS_ALLOWED_ORIGINS');
    expect(readConfig({ STAGE: 'prod' }).cors).toEqual({ allowAnyOrigin: false, origins: new Set() });
  });
});

describe('readConfig: the bot challenge (CHALLENGE_*)', () => {
  const TURNSTILE = { CHALLENGE_PROVIDER: 'turnstile', CHALLENGE_SITE_KEY: '0x4AAAAAAAB', CHALLENGE_SECRET: '0x4AAAAAAAB-secret' };
  const IN_LAMBDA = { AWS_LAMBDA_FUNCTION_NAME: 'send', CODE_HASH_SECRET_ARN: 'h' };

  it('has none unless CHALLENGE_PROVIDER is set', () => {
    expect(readConfig({}).challenge).toBeUndefined();
  });

  it('reads a provider with its defaults: always, score floor 0.5, 3000 ms, the service’s own endpoint', () => {
    expect(readConfig(TURNSTILE).challenge).toEqual({
      provider: 'turnstile',
      when: 'always',
      siteKey: '0x4AAAAAAAB',
      secret: '0x4AAAAAAAB-secret',
      hostnames: undefined,
      action: undefined,
      minScore: 0.5,
      timeoutMs: 3000,
      origin: undefined,
      refuseTestKeys: false,
    });
  });

  it('reads every setting', () => {
    const config = readConfig({
      CHALLENGE_PROVIDER: 'recaptcha',
      CHALLENGE_SITE_KEY: '6Lc-site',
      CHALLENGE_SECRET: '6Lc-secret',
      CHALLENGE_WHEN: 'tripped',
      CHALLENGE_HOSTNAMES: ' app.example , com.example.app,',
      CHALLENGE_ACTION: 'send_code',
      CHALLENGE_MIN_SCORE: '0.7',
      CHALLENGE_TIMEOUT_MS: '2000',
      CHALLENGE_ENDPOINT: 'http://127.0.0.1:4020/',
    });
    expect(config.challenge).toMatchObject({
      when: 'tripped',
      hostnames: ['app.example', 'com.example.app'],
      action: 'send_code',
      minScore: 0.7,
      timeoutMs: 2000,
      origin: 'http://127.0.0.1:4020',
    });
  });

  it.each([
    [{ CHALLENGE_PROVIDER: 'recaptcha-enterprise' }, 'CHALLENGE_PROVIDER must be turnstile, hcaptcha, recaptcha or unset'],
    [{ ...TURNSTILE, CHALLENGE_SITE_KEY: '' }, 'CHALLENGE_PROVIDER needs CHALLENGE_SITE_KEY'],
    [{ ...TURNSTILE, CHALLENGE_SECRET: '' }, 'CHALLENGE_PROVIDER needs CHALLENGE_SECRET'],
    [{ ...TURNSTILE, CHALLENGE_WHEN: 'sometimes' }, 'CHALLENGE_WHEN must be "always" or "tripped"'],
    [{ ...TURNSTILE, CHALLENGE_TIMEOUT_MS: '99' }, 'CHALLENGE_TIMEOUT_MS must be a whole number from 100 to 10000'],
    [{ ...TURNSTILE, CHALLENGE_TIMEOUT_MS: '10001' }, 'CHALLENGE_TIMEOUT_MS must be a whole number from 100 to 10000'],
    [{ ...TURNSTILE, CHALLENGE_TIMEOUT_MS: '2001', SMS_TIMEOUT_MS: '20000' }, 'CHALLENGE_TIMEOUT_MS (2001) plus SMS_TIMEOUT_MS (20000) is 22001 ms'],
    [{ ...TURNSTILE, CHALLENGE_ACTION: 'send code' }, 'CHALLENGE_ACTION "send code" is not an action the turnstile widget accepts'],
    [{ ...TURNSTILE, CHALLENGE_MIN_SCORE: '0.5' }, 'CHALLENGE_MIN_SCORE: only reCAPTCHA v3 reports a score'],
    [{ ...TURNSTILE, CHALLENGE_PROVIDER: 'hcaptcha', CHALLENGE_ACTION: 'send' }, 'CHALLENGE_ACTION: hCaptcha reports no action'],
    [{ ...TURNSTILE, CHALLENGE_ENDPOINT: 'http://127.0.0.1:4020/siteverify' }, 'CHALLENGE_ENDPOINT is a scheme and host only'],
    [{ ...TURNSTILE, CHALLENGE_ENDPOINT: 'http://challenges.example.com' }, 'CHALLENGE_ENDPOINT must be an absolute https URL'],
    [{ CHALLENGE_SITE_KEY: '0x4AAAAAAAB' }, 'CHALLENGE_SITE_KEY is set but CHALLENGE_PROVIDER is not'],
    [{ CHALLENGE_ENDPOINT: 'http://127.0.0.1:4020' }, 'CHALLENGE_ENDPOINT is set but CHALLENGE_PROVIDER is not'],
    [{ STAGE_PRESET: 'live' }, 'STAGE_PRESET must be "production" or "development"'],
  ])('refuses %j, naming what to fix', (env, message) => {
    expect(() => readConfig(env)).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it.each([['0'], ['1'], ['1.0'], ['0.25']])('accepts CHALLENGE_MIN_SCORE=%s', (value) => {
    expect(readConfig({ ...TURNSTILE, CHALLENGE_PROVIDER: 'recaptcha', CHALLENGE_MIN_SCORE: value }).challenge?.minScore).toBe(Number(value));
  });

  it.each([['1.1'], ['-0.1'], ['.5'], ['0.5 '], ['5e-1'], ['00.5']])('refuses CHALLENGE_MIN_SCORE=%s', (value) => {
    expectRefused({ ...TURNSTILE, CHALLENGE_PROVIDER: 'recaptcha', CHALLENGE_MIN_SCORE: value }, 'CHALLENGE_MIN_SCORE');
  });

  it('allows the challenge and the SMS providers 22 s together, not more', () => {
    expect(readConfig({ ...TURNSTILE, CHALLENGE_TIMEOUT_MS: '2000', SMS_TIMEOUT_MS: '20000' }).challenge?.timeoutMs).toBe(2000);
    // Without a challenge SMS_TIMEOUT_MS keeps its own range.
    expect(readConfig({ CHALLENGE_TIMEOUT_MS: '10000', SMS_TIMEOUT_MS: '20000' }).challenge).toBeUndefined();
  });

  it('in AWS takes the secret from Secrets Manager only, and refuses CHALLENGE_ENDPOINT, which would receive it', () => {
    const aws = { ...IN_LAMBDA, CHALLENGE_PROVIDER: 'turnstile', CHALLENGE_SITE_KEY: '0x4AAAAAAAB' };
    expect(readConfig({ ...aws, CHALLENGE_SECRET_ARN: 'c' }).secrets).toMatchObject({ kind: 'aws', challengeSecretArn: 'c' });
    expect(readConfig({ ...aws, CHALLENGE_SECRET_ARN: 'c' }).challenge?.secret).toBeUndefined();
    expectRefused(aws, 'CHALLENGE_SECRET_ARN');
    expectRefused({ ...aws, CHALLENGE_SECRET_ARN: 'c', CHALLENGE_SECRET: 'plain' }, 'CHALLENGE_SECRET must not be set');
    expectRefused({ ...aws, CHALLENGE_SECRET_ARN: 'c', CHALLENGE_ENDPOINT: 'https://challenges.example.com' }, 'CHALLENGE_ENDPOINT only works locally');
  });

  it('refuses a documented test site key in a production stage, and allows it elsewhere', () => {
    const test = { ...TURNSTILE, CHALLENGE_SITE_KEY: '1x00000000000000000000AA' };
    expect(readConfig(test).challenge?.siteKey).toBe('1x00000000000000000000AA');
    expect(readConfig({ ...test, STAGE_PRESET: 'development' }).challenge?.refuseTestKeys).toBe(false);
    expectRefused({ ...test, STAGE_PRESET: 'production' }, 'CHALLENGE_SITE_KEY 1x00000000000000000000AA is a documented test key of turnstile');
    expect(readConfig({ ...TURNSTILE, STAGE_PRESET: 'production' }).challenge?.refuseTestKeys).toBe(true);
  });
});

describe('readEventsConfig (the events function)', () => {
  it('publishes full numbers to phone-verify-<stage> unless told otherwise', () => {
    expect(readEventsConfig({ STAGE: 'dev' })).toEqual({ stage: 'dev', eventBusName: 'phone-verify-dev', phoneNumber: 'full', deadLetterQueueUrl: undefined });
    expect(readEventsConfig({ STAGE: 'dev', EVENT_BUS_NAME: 'shared', EVENTS_PHONE_NUMBER: 'masked' })).toMatchObject({
      eventBusName: 'shared',
      phoneNumber: 'masked',
    });
  });

  it('refuses a way of showing numbers it does not know', () => {
    expect(() => readEventsConfig({ EVENTS_PHONE_NUMBER: 'hashed' })).toThrow(new ConfigError('EVENTS_PHONE_NUMBER must be "full" or "masked", not "hashed"'));
  });

  it('needs its dead-letter queue in AWS, where an unpublished event must go somewhere', () => {
    expect(() => readEventsConfig({ AWS_LAMBDA_FUNCTION_NAME: 'events' })).toThrow(/DEAD_LETTER_QUEUE_URL must be set in AWS/);
    expect(
      readEventsConfig({ AWS_LAMBDA_FUNCTION_NAME: 'events', DEAD_LETTER_QUEUE_URL: 'https://sqs.ap-northeast-2.amazonaws.com/1/q' }).deadLetterQueueUrl,
    ).toBe('https://sqs.ap-northeast-2.amazonaws.com/1/q');
  });
});
