import { CHALLENGE_PROVIDERS, CHALLENGE_WHEN, TEST_SITE_KEYS, type ChallengeProvider, type ChallengeWhen } from './domain/challenge';
import { CODE_LENGTH_RANGE } from './domain/code';
import { ConfigError } from './domain/errors';
import { checkMessageFormat, type AlimtalkTemplate, type MessageFormat } from './domain/message';
import { isKnownCountry } from './domain/phone';
import { secretTooShort } from './domain/secret';
import { parseTestNumbers } from './domain/test-numbers';
import type { TokenSettings } from './domain/token';
import type { VerificationPolicy } from './domain/verification-service';

export { ConfigError };

/** Where the secrets come from: plain variables locally, Secrets Manager in AWS. */
export type SecretSource =
  | { readonly kind: 'env'; readonly codeHashSecret?: string | undefined }
  | {
      readonly kind: 'aws';
      readonly codeHashSecretArn: string;
      /** Only the send function talks to SENS (least privilege). */
      readonly sensSecretArn?: string | undefined;
      /** The bot-challenge service's secret key: the send function's, where a challenge is configured. */
      readonly challengeSecretArn?: string | undefined;
    };

/**
 * The token keys (docs/tokens.md): in KMS, named by key ARN (AWS, or `npm start` with
 * `TOKEN_KEY_ID`); a local P-256 key (`TOKEN_SIGNING_KEY`, or random); or none, in a function
 * that signs nothing (the send function).
 */
export type TokenKeySource =
  | { readonly kind: 'kms'; readonly signingKeyArn: string; readonly publishedKeyArns: readonly string[] }
  | { readonly kind: 'local'; readonly privateKeyPem?: string | undefined }
  | { readonly kind: 'none' };

export interface SensSettings {
  readonly endpoint: string;
  /** Locally from `SENS_*`; in AWS the credentials come from the secret named in `SecretSource`. */
  readonly credentials?: SensCredentials | undefined;
}

export interface SensCredentials {
  readonly serviceId: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Registered caller number, digits only. */
  readonly from: string;
  /** Biz Message (Alimtalk) service id, `ncp:kkobizmsg:…`, and the KakaoTalk channel id: only where Alimtalk is used. */
  readonly alimtalkServiceId?: string | undefined;
  readonly plusFriendId?: string | undefined;
}

/** Every runtime setting (docs/configuration.md), read and validated once per process. */
export interface RuntimeConfig {
  readonly stage: string;
  readonly policy: VerificationPolicy;
  readonly allowedCountries: ReadonlySet<string>;
  readonly token: TokenSettings;
  readonly tokenKeys: TokenKeySource;
  readonly message: MessageFormat;
  /** Tried in this order for one send (docs/channels.md, "Providers and failover"). */
  readonly smsProviders: readonly SmsProviderName[];
  /** Optional settings of the `aws` provider (AWS End User Messaging SMS). */
  readonly awsSms: AwsSmsSettings;
  /** The `lambda` provider's function, by name or ARN. */
  readonly smsHookFunction?: string | undefined;
  readonly sens: SensSettings;
  readonly cors: CorsPolicy;
  readonly tableName: string;
  /** The abuse counters' table (range limit, hourly budget). */
  readonly limitsTableName: string;
  /** Another DynamoDB (DynamoDB Local) instead of the AWS regional endpoint. */
  readonly dynamodbEndpoint?: string | undefined;
  readonly secrets: SecretSource;
  /** The bot challenge on send (docs/challenge.md); undefined: none. */
  readonly challenge?: ChallengeSettings | undefined;
}

/** CHALLENGE_* (docs/challenge.md). */
export interface ChallengeSettings {
  readonly provider: ChallengeProvider;
  readonly when: ChallengeWhen;
  /** The widget's site key (public: the page renders it). */
  readonly siteKey: string;
  /** Locally `CHALLENGE_SECRET`; in AWS the secret named in `SecretSource` holds it. */
  readonly secret?: string | undefined;
  /** What a passed token must report: host names (or Android package names), the action. */
  readonly hostnames?: readonly string[] | undefined;
  readonly action?: string | undefined;
  /** reCAPTCHA v3's score floor. */
  readonly minScore: number;
  /** Hard limit on one verification, the answer's body included. */
  readonly timeoutMs: number;
  /** Scheme and host of the siteverify call (`CHALLENGE_ENDPOINT`, tests and npm start); unset: the service's own. */
  readonly origin?: string | undefined;
  /** A production stage: the services' test secrets answer 503 (their test site keys never get this far). */
  readonly refuseTestKeys: boolean;
}

/** Variables that mean nothing without CHALLENGE_PROVIDER: set alone, they are a mistake worth stopping for. */
const CHALLENGE_VARIABLES = [
  'CHALLENGE_WHEN',
  'CHALLENGE_SITE_KEY',
  'CHALLENGE_SECRET',
  'CHALLENGE_SECRET_ARN',
  'CHALLENGE_HOSTNAMES',
  'CHALLENGE_ACTION',
  'CHALLENGE_MIN_SCORE',
  'CHALLENGE_ENDPOINT',
] as const;

/** API Gateway answers 504 itself after 29 s: the challenge and the SMS providers share what is left (docs/configuration.md). */
export const CHALLENGE_AND_SMS_TIMEOUT_MAX_MS = 22_000;

export const SMS_PROVIDER_NAMES = ['sens', 'aws', 'lambda', 'console'] as const;
export type SmsProviderName = (typeof SMS_PROVIDER_NAMES)[number];

export interface AwsSmsSettings {
  readonly originationIdentity?: string | undefined;
  readonly configurationSetName?: string | undefined;
  readonly protectConfigurationId?: string | undefined;
}

export const DEFAULT_MESSAGE_TEMPLATE = '[phone-verify] 인증번호 [{code}]를 입력해주세요.';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `env` (the Lambda environment or the local server's) into a `RuntimeConfig`.
 * @throws ConfigError naming the first variable that is out of range or malformed
 */
export function readConfig(env: Env): RuntimeConfig {
  const stage = text(env, 'STAGE', 'local');
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  const smsProviders = providerList(text(env, 'SMS_PROVIDER', inLambda ? 'sens' : 'console'));
  if (smsProviders.includes('console') && inLambda) throw new ConfigError('SMS_PROVIDER=console only works locally: in AWS it would print codes to the logs');
  const smsHookFunction = env.SMS_HOOK_FUNCTION || undefined;
  if (smsProviders.includes('lambda') && !smsHookFunction) throw new ConfigError('SMS_HOOK_FUNCTION must name the function of the "lambda" provider');

  const codeLength = integer(env, 'CODE_LENGTH', 6, CODE_LENGTH_RANGE.min, CODE_LENGTH_RANGE.max);
  const policy: Omit<VerificationPolicy, 'testNumbers'> = {
    codeLength,
    codeTtlMs: integer(env, 'CODE_TTL_SECONDS', 300, 1, 600) * 1000,
    maxCheckAttempts: integer(env, 'MAX_CHECK_ATTEMPTS', 5, 1, 10),
    resendCooldownMs: integer(env, 'RESEND_COOLDOWN_SECONDS', 60, 0, 3600) * 1000,
    maxSendsPerDay: integer(env, 'MAX_SENDS_PER_DAY', 5, 1, 100),
    smsTimeoutMs: integer(env, 'SMS_TIMEOUT_MS', 5000, 1000, 20000),
    smsBudgetPerHour: integer(env, 'SMS_BUDGET_PER_HOUR', 1000, 0, 1_000_000),
    maxSendsPerPrefixPerHour: integer(env, 'MAX_SENDS_PER_PREFIX_PER_HOUR', 30, 0, 10_000),
    maxFailedGuesses: integer(env, 'MAX_FAILED_GUESSES', 50, 1, 100),
    lockMaxMs: integer(env, 'LOCK_SECONDS', 86_400, 60, 604_800) * 1000,
  };

  const allowedCountries = parseCountries(text(env, 'ALLOWED_COUNTRIES', 'KR'));
  if (allowedCountries.size === 0) throw new ConfigError('ALLOWED_COUNTRIES must name at least one country');
  for (const country of allowedCountries) {
    if (!isKnownCountry(country)) throw new ConfigError(`ALLOWED_COUNTRIES: "${country}" is not an ISO 3166 alpha-2 country with phone numbers`);
  }

  const message = messageFormat(env);
  checkMessageFormat(message, codeLength);
  const testNumbers = parseTestNumbers(env.TEST_NUMBERS ?? '', allowedCountries, codeLength);
  const token: TokenSettings = {
    issuer: text(env, 'TOKEN_ISSUER', `phone-verify/${stage}`),
    audience: text(env, 'TOKEN_AUDIENCE', 'phone-verify'),
    ttlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 600, 30, 86400),
  };

  const sensEndpoint = endpointUrl(env, 'SENS_ENDPOINT', 'https://sens.apigw.ntruss.com');

  const secrets: SecretSource = env.CODE_HASH_SECRET_ARN
    ? {
        kind: 'aws',
        codeHashSecretArn: env.CODE_HASH_SECRET_ARN,
        sensSecretArn: env.SENS_SECRET_ARN || undefined,
        challengeSecretArn: env.CHALLENGE_SECRET_ARN || undefined,
      }
    : { kind: 'env', codeHashSecret: secret(env, 'CODE_HASH_SECRET') };
  if (inLambda && secrets.kind !== 'aws')
    throw new ConfigError('CODE_HASH_SECRET_ARN must be set in AWS: secrets come from Secrets Manager, never from plain variables');

  let credentials: SensCredentials | undefined;
  if (smsProviders.includes('sens') && secrets.kind === 'env') {
    credentials = {
      serviceId: required(env, 'SENS_SERVICE_ID'),
      accessKey: required(env, 'SENS_ACCESS_KEY'),
      secretKey: required(env, 'SENS_SECRET_KEY'),
      from: required(env, 'SENS_FROM').replace(/-/g, ''),
      alimtalkServiceId: env.SENS_ALIMTALK_SERVICE_ID || undefined,
      plusFriendId: env.SENS_PLUS_FRIEND_ID || undefined,
    };
  }
  // Only SENS sends Alimtalk (the console provider prints it locally).
  if (message.alimtalk && !smsProviders.includes('sens') && !smsProviders.includes('console'))
    throw new ConfigError('Alimtalk is sent by SENS: SMS_PROVIDER must list "sens" for ALIMTALK_TEMPLATE');
  // Alimtalk's ids come with the SENS credentials: locally they can be checked now; in AWS they
  // are in the SENS secret, where a missing one shows as a refused send, like any unfilled secret.
  if (message.alimtalk && credentials && (!credentials.alimtalkServiceId || !credentials.plusFriendId)) {
    throw new ConfigError('Alimtalk needs its service id and KakaoTalk channel id: set SENS_ALIMTALK_SERVICE_ID and SENS_PLUS_FRIEND_ID');
  }

  const corsSetting = env.CORS_ALLOWED_ORIGINS ?? (stage === 'prod' ? '' : '*');
  const cors = corsPolicy(corsSetting);
  if (stage === 'prod' && cors.allowAnyOrigin) throw new ConfigError('CORS_ALLOWED_ORIGINS must list origins in prod, not "*"');

  return {
    stage,
    policy: { ...policy, testNumbers },
    allowedCountries,
    token,
    tokenKeys: tokenKeySource(env, inLambda),
    message,
    smsProviders,
    awsSms: {
      originationIdentity: env.AWS_SMS_ORIGINATION_IDENTITY || undefined,
      configurationSetName: env.AWS_SMS_CONFIGURATION_SET || undefined,
      protectConfigurationId: env.AWS_SMS_PROTECT_CONFIGURATION_ID || undefined,
    },
    smsHookFunction,
    sens: { endpoint: sensEndpoint, credentials },
    cors,
    tableName: text(env, 'TABLE_NAME', 'phone-verify-local'),
    limitsTableName: text(env, 'LIMITS_TABLE_NAME', 'phone-verify-local-limits'),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    secrets,
    challenge: challengeSettings(env, { inLambda, production: preset(env) === 'production' }, secrets, policy.smsTimeoutMs),
  };
}

/**
 * CHALLENGE_* (docs/challenge.md), or undefined without CHALLENGE_PROVIDER. The secret is a
 * variable locally and a Secrets Manager secret in AWS; CHALLENGE_ENDPOINT, which would receive
 * it, only works locally.
 * @throws ConfigError naming the variable
 */
function challengeSettings(
  env: Env,
  { inLambda, production }: { inLambda: boolean; production: boolean },
  secrets: SecretSource,
  smsTimeoutMs: number,
): ChallengeSettings | undefined {
  const timeoutMs = integer(env, 'CHALLENGE_TIMEOUT_MS', 3000, 100, 10_000);
  const provider = env.CHALLENGE_PROVIDER || undefined;
  if (provider === undefined) {
    const stray = CHALLENGE_VARIABLES.find((name) => env[name]);
    if (stray)
      throw new ConfigError(`${stray} is set but CHALLENGE_PROVIDER is not: set CHALLENGE_PROVIDER (${CHALLENGE_PROVIDERS.join(', ')}) or unset ${stray}`);
    return undefined;
  }
  if (!(CHALLENGE_PROVIDERS as readonly string[]).includes(provider))
    throw new ConfigError(`CHALLENGE_PROVIDER must be ${CHALLENGE_PROVIDERS.join(', ')} or unset, not "${provider}"`);
  const service = provider as ChallengeProvider;
  const when = text(env, 'CHALLENGE_WHEN', 'always');
  if (!(CHALLENGE_WHEN as readonly string[]).includes(when)) throw new ConfigError(`CHALLENGE_WHEN must be "always" or "tripped", not "${when}"`);
  const siteKey = env.CHALLENGE_SITE_KEY || undefined;
  if (!siteKey) throw new ConfigError('CHALLENGE_PROVIDER needs CHALLENGE_SITE_KEY: the site key your widget renders with');
  const refuseTestKeys = production;
  if (refuseTestKeys && TEST_SITE_KEYS[service].includes(siteKey))
    throw new ConfigError(`CHALLENGE_SITE_KEY ${siteKey} is a documented test key of ${service}: it passes every token, so a production stage refuses it`);
  let secret: string | undefined;
  if (secrets.kind === 'env') {
    secret = env.CHALLENGE_SECRET || undefined;
    if (!secret) throw new ConfigError(`CHALLENGE_PROVIDER needs CHALLENGE_SECRET: the secret key ${service} issued with the site key`);
  } else {
    if (env.CHALLENGE_SECRET) throw new ConfigError('CHALLENGE_SECRET must not be set here: the secret comes from Secrets Manager (CHALLENGE_SECRET_ARN)');
    if (!secrets.challengeSecretArn) throw new ConfigError('CHALLENGE_PROVIDER needs CHALLENGE_SECRET_ARN: the secret the stack keeps the secret key in');
  }
  const action = env.CHALLENGE_ACTION || undefined;
  if (action !== undefined) {
    // What each widget accepts as an action (Turnstile: 1-32 of [A-Za-z0-9_-]; reCAPTCHA v3: [A-Za-z0-9/_]); hCaptcha reports none.
    if (service === 'hcaptcha') throw new ConfigError('CHALLENGE_ACTION: hCaptcha reports no action; unset it');
    const format = service === 'turnstile' ? /^[A-Za-z0-9_-]{1,32}$/ : /^[A-Za-z0-9/_]{1,100}$/;
    if (!format.test(action)) throw new ConfigError(`CHALLENGE_ACTION "${action}" is not an action the ${service} widget accepts`);
  }
  if (env.CHALLENGE_MIN_SCORE && service !== 'recaptcha')
    throw new ConfigError(`CHALLENGE_MIN_SCORE: only reCAPTCHA v3 reports a score; unset it for ${service}`);
  const minScore = score(env, 'CHALLENGE_MIN_SCORE', 0.5);
  if (timeoutMs + smsTimeoutMs > CHALLENGE_AND_SMS_TIMEOUT_MAX_MS)
    throw new ConfigError(
      `CHALLENGE_TIMEOUT_MS (${timeoutMs}) plus SMS_TIMEOUT_MS (${smsTimeoutMs}) is ${timeoutMs + smsTimeoutMs} ms: at most ${CHALLENGE_AND_SMS_TIMEOUT_MAX_MS} with a challenge (API Gateway answers 504 itself after 29 s)`,
    );
  let origin: string | undefined;
  if (env.CHALLENGE_ENDPOINT) {
    if (inLambda) throw new ConfigError('CHALLENGE_ENDPOINT only works locally: in AWS it would receive the secret key');
    origin = endpointUrl(env, 'CHALLENGE_ENDPOINT', '');
    if (new URL(origin).pathname !== '/')
      throw new ConfigError(`CHALLENGE_ENDPOINT is a scheme and host only (the path stays the service's own), not "${origin}"`);
    origin = new URL(origin).origin;
  }
  const hostnames = (env.CHALLENGE_HOSTNAMES ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    provider: service,
    when: when as ChallengeWhen,
    siteKey,
    secret,
    hostnames: hostnames.length > 0 ? hostnames : undefined,
    action,
    minScore,
    timeoutMs,
    origin,
    refuseTestKeys,
  };
}

/** STAGE_PRESET, set by the stack: what the stage is for (lib/config.ts, `Preset`); unset locally. */
function preset(env: Env): 'production' | 'development' | undefined {
  const value = env.STAGE_PRESET || undefined;
  if (value !== undefined && value !== 'production' && value !== 'development')
    throw new ConfigError(`STAGE_PRESET must be "production" or "development", not "${value}"`);
  return value;
}

/** A number from 0.0 to 1.0: `0`, `1`, or digits after one decimal point (docs/configuration.md). */
function score(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^(0(\.[0-9]+)?|1(\.0+)?)$/.test(raw)) throw new ConfigError(`${name} must be a number from 0.0 to 1.0, not "${raw}"`);
  return Number(raw);
}

/** What the events function needs (docs/events.md): the bus and how events show a number. */
export interface EventsConfig {
  readonly stage: string;
  /** The EventBridge bus; locally the events are printed instead. */
  readonly eventBusName: string;
  /** `full` (E.164) or `masked`. */
  readonly phoneNumber: 'full' | 'masked';
  /** The function's own SQS dead-letter queue (set by the stack; none locally, where events are printed). */
  readonly deadLetterQueueUrl?: string | undefined;
}

/** Reads the events function's settings (`STAGE`, `EVENT_BUS_NAME`, `EVENTS_PHONE_NUMBER`). */
export function readEventsConfig(env: Env): EventsConfig {
  const stage = text(env, 'STAGE', 'local');
  const phoneNumber = text(env, 'EVENTS_PHONE_NUMBER', 'full');
  if (phoneNumber !== 'full' && phoneNumber !== 'masked') throw new ConfigError(`EVENTS_PHONE_NUMBER must be "full" or "masked", not "${phoneNumber}"`);
  const deadLetterQueueUrl = env.DEAD_LETTER_QUEUE_URL || undefined;
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined && !deadLetterQueueUrl)
    throw new ConfigError('DEAD_LETTER_QUEUE_URL must be set in AWS: events that cannot be published go there');
  return { stage, eventBusName: text(env, 'EVENT_BUS_NAME', `phone-verify-${stage}`), phoneNumber, deadLetterQueueUrl };
}

/** A KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`): never an alias, which can be re-pointed under a running container. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;

/** `TOKEN_KEY_ID` and `TOKEN_PUBLISHED_KEY_IDS` (KMS), or `TOKEN_SIGNING_KEY` (local only). */
function tokenKeySource(env: Env, inLambda: boolean): TokenKeySource {
  const signingKeyArn = env.TOKEN_KEY_ID || undefined;
  const published = (env.TOKEN_PUBLISHED_KEY_IDS ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  for (const [name, arn] of [['TOKEN_KEY_ID', signingKeyArn], ...published.map((arn) => ['TOKEN_PUBLISHED_KEY_IDS', arn])] as const) {
    if (arn !== undefined && !KMS_KEY_ARN.test(arn)) throw new ConfigError(`${name} must name KMS keys by key ARN (arn:aws:kms:…:key/…), not "${arn}"`);
  }
  if (signingKeyArn) {
    if (env.TOKEN_SIGNING_KEY) throw new ConfigError('TOKEN_SIGNING_KEY and TOKEN_KEY_ID exclude each other: sign with a local key or with KMS');
    return { kind: 'kms', signingKeyArn, publishedKeyArns: published };
  }
  if (published.length > 0) throw new ConfigError('TOKEN_PUBLISHED_KEY_IDS needs TOKEN_KEY_ID');
  if (inLambda) {
    if (env.TOKEN_SIGNING_KEY) throw new ConfigError('TOKEN_SIGNING_KEY only works locally: in AWS tokens are signed in KMS (TOKEN_KEY_ID)');
    return { kind: 'none' };
  }
  return { kind: 'local', privateKeyPem: env.TOKEN_SIGNING_KEY || undefined };
}

/** `SMS_PROVIDER`: an ordered, comma-separated list of known providers, each at most once. */
function providerList(setting: string): SmsProviderName[] {
  const names = setting.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SMS_PROVIDER_NAMES as readonly string[]).includes(name))
      throw new ConfigError(`SMS_PROVIDER must list providers from ${SMS_PROVIDER_NAMES.join(', ')}, comma-separated, not "${setting}"`);
  }
  if (new Set(names).size !== names.length) throw new ConfigError(`SMS_PROVIDER names a provider twice: "${setting}"`);
  return names as SmsProviderName[];
}

/** The message settings as given; `checkMessageFormat` judges them. */
function messageFormat(env: Env): MessageFormat {
  const defaultChannel = text(env, 'MESSAGE_CHANNEL', 'sms');
  if (defaultChannel !== 'sms' && defaultChannel !== 'alimtalk') throw new ConfigError(`MESSAGE_CHANNEL must be "sms" or "alimtalk", not "${defaultChannel}"`);
  return {
    template: text(env, 'MESSAGE_TEMPLATE', DEFAULT_MESSAGE_TEMPLATE),
    androidAppHash: env.ANDROID_APP_HASH || undefined,
    webOtpDomain: env.WEBOTP_DOMAIN || undefined,
    defaultChannel,
    alimtalk: alimtalkTemplate(env),
  };
}

/** Alimtalk is configured when its template is: ALIMTALK_TEMPLATE_CODE and ALIMTALK_TEMPLATE, both or neither. */
function alimtalkTemplate(env: Env): AlimtalkTemplate | undefined {
  const templateCode = env.ALIMTALK_TEMPLATE_CODE || undefined;
  const template = env.ALIMTALK_TEMPLATE || undefined;
  if (templateCode === undefined && template === undefined) return undefined;
  if (!templateCode) throw new ConfigError('ALIMTALK_TEMPLATE_CODE must be set with ALIMTALK_TEMPLATE');
  if (!template) throw new ConfigError('ALIMTALK_TEMPLATE must contain {code}');
  return { templateCode, template };
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} must be set`);
  return value;
}

function secret(env: Env, name: string): string | undefined {
  const value = env[name] || undefined;
  const tooShort = value === undefined ? undefined : secretTooShort(name, value);
  if (tooShort) throw new ConfigError(tooShort);
  return value;
}

/** `ALLOWED_COUNTRIES` as a set of upper-case codes (the stack reads the setting the same way). */
export function parseCountries(setting: string): ReadonlySet<string> {
  return new Set(
    setting
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
  );
}

/** Whether `url` names this machine (DynamoDB Local, an emulator): the one place plain http is allowed. */
export function isLoopbackUrl(url: string): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/i.test(url);
}

/**
 * An absolute https URL; plain http only for this machine (an emulator or a proxy on loopback),
 * since the request carries the code and a signature.
 */
function endpointUrl(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback);
  let url: URL | undefined;
  try {
    url = /\s/.test(raw) ? undefined : new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(raw))) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be an absolute https URL (http only for a loopback host), not "${raw}"`);
  }
  return raw;
}

/** A whole number in plain decimal digits: no spaces, sign, leading zeros or exponent (docs/configuration.md). */
function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^(0|[1-9][0-9]*)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** Who may call the API from a browser: `*` (local and dev) or a list of exact origins. */
export type CorsPolicy = { readonly allowAnyOrigin: true } | { readonly allowAnyOrigin: false; readonly origins: ReadonlySet<string> };

/** Parses `CORS_ALLOWED_ORIGINS` (`*` or comma-separated origins; empty: no browser origin). */
export function corsPolicy(setting: string): CorsPolicy {
  const entries = setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.includes('*')) return { allowAnyOrigin: true };
  return { allowAnyOrigin: false, origins: new Set(entries) };
}
