import { CODE_LENGTH_RANGE } from './domain/code';
import { isKnownCountry, parsePhoneNumber, type PhoneNumber } from './domain/phone';
import { ALIMTALK_MAX_CHARACTERS, SMS_MAX_BYTES, renderAlimtalk, renderMessage, smsByteLength, type MessageFormat } from './domain/message';
import type { Channel } from './domain/ports';
import type { TokenSettings } from './domain/token';
import type { VerificationPolicy } from './domain/verification-service';

/** A setting that cannot work; the message names the variable so an operator can fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Where the secrets come from: plain variables locally, Secrets Manager in AWS. */
export type SecretSource =
  | { readonly kind: 'env'; readonly tokenSecret?: string | undefined; readonly codeHashSecret?: string | undefined }
  | {
      readonly kind: 'aws';
      readonly codeHashSecretArn: string;
      /** Only the check function signs tokens, and only the send function talks to SENS (least privilege). */
      readonly tokenSecretArn?: string | undefined;
      readonly sensSecretArn?: string | undefined;
    };

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

/** KakaoTalk Alimtalk: the approved template (SPEC section 2, "Channels"). */
export interface AlimtalkSettings {
  readonly templateCode: string;
  /** The approved template's text with `{code}` where its variable is. */
  readonly template: string;
}

/** Every runtime setting of SPEC section 4, read and validated once per process. */
export interface RuntimeConfig {
  readonly stage: string;
  readonly policy: VerificationPolicy;
  readonly allowedCountries: ReadonlySet<string>;
  readonly token: TokenSettings;
  readonly message: MessageFormat;
  readonly smsProvider: 'sens' | 'console';
  /** The channel a send uses when the request names none. */
  readonly messageChannel: Channel;
  /** Set when Alimtalk is configured (the ids come with the SENS credentials). */
  readonly alimtalk?: AlimtalkSettings | undefined;
  readonly sens: SensSettings;
  readonly cors: CorsPolicy;
  readonly tableName: string;
  /** The abuse counters' table (range limit, hourly budget). */
  readonly limitsTableName: string;
  /** Another DynamoDB (DynamoDB Local) instead of the AWS regional endpoint. */
  readonly dynamodbEndpoint?: string | undefined;
  readonly secrets: SecretSource;
}

export const DEFAULT_MESSAGE_TEMPLATE = '[phone-verify] 인증번호 [{code}]를 입력해주세요.';
const ANDROID_APP_HASH = /^[A-Za-z0-9+/]{11}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `env` (the Lambda environment or the local server's) into a `RuntimeConfig`.
 * @throws ConfigError naming the first variable that is out of range or malformed
 */
export function readConfig(env: Env): RuntimeConfig {
  const stage = text(env, 'STAGE', 'local');
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  const smsProvider = text(env, 'SMS_PROVIDER', inLambda ? 'sens' : 'console');
  if (smsProvider !== 'sens' && smsProvider !== 'console') throw new ConfigError(`SMS_PROVIDER must be "sens" or "console", not "${smsProvider}"`);
  if (smsProvider === 'console' && inLambda) throw new ConfigError('SMS_PROVIDER=console only works locally: in AWS it would print codes to the logs');

  const codeLength = integer(env, 'CODE_LENGTH', 6, CODE_LENGTH_RANGE.min, CODE_LENGTH_RANGE.max);
  const policy: Omit<VerificationPolicy, 'testNumbers'> = {
    codeLength,
    codeTtlMs: integer(env, 'CODE_TTL_SECONDS', 300, 1, 600) * 1000,
    maxCheckAttempts: integer(env, 'MAX_CHECK_ATTEMPTS', 5, 1, 10),
    resendCooldownMs: integer(env, 'RESEND_COOLDOWN_SECONDS', 60, 0, 3600) * 1000,
    maxSendsPerDay: integer(env, 'MAX_SENDS_PER_DAY', 5, 1, 100),
    smsTimeoutMs: integer(env, 'SMS_TIMEOUT_MS', 5000, 100, 30000),
    smsBudgetPerHour: integer(env, 'SMS_BUDGET_PER_HOUR', 1000, 0, 1_000_000),
    maxSendsPerPrefixPerHour: integer(env, 'MAX_SENDS_PER_PREFIX_PER_HOUR', 30, 0, 10_000),
  };

  const allowedCountries = parseCountries(text(env, 'ALLOWED_COUNTRIES', 'KR'));
  if (allowedCountries.size === 0) throw new ConfigError('ALLOWED_COUNTRIES must name at least one country');
  for (const country of allowedCountries) {
    if (!isKnownCountry(country)) throw new ConfigError(`ALLOWED_COUNTRIES: "${country}" is not an ISO 3166 alpha-2 country with phone numbers`);
  }

  const message = messageFormat(env, codeLength);
  const testNumbers = testNumberCodes(env, allowedCountries, codeLength);
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
        tokenSecretArn: env.TOKEN_SECRET_ARN || undefined,
        sensSecretArn: env.SENS_SECRET_ARN || undefined,
      }
    : { kind: 'env', tokenSecret: secret(env, 'TOKEN_SECRET'), codeHashSecret: secret(env, 'CODE_HASH_SECRET') };
  if (inLambda && secrets.kind !== 'aws')
    throw new ConfigError('CODE_HASH_SECRET_ARN must be set in AWS: secrets come from Secrets Manager, never from plain variables');

  let credentials: SensCredentials | undefined;
  if (smsProvider === 'sens' && secrets.kind === 'env') {
    credentials = {
      serviceId: required(env, 'SENS_SERVICE_ID'),
      accessKey: required(env, 'SENS_ACCESS_KEY'),
      secretKey: required(env, 'SENS_SECRET_KEY'),
      from: required(env, 'SENS_FROM').replace(/-/g, ''),
      alimtalkServiceId: env.SENS_ALIMTALK_SERVICE_ID || undefined,
      plusFriendId: env.SENS_PLUS_FRIEND_ID || undefined,
    };
  }
  const { messageChannel, alimtalk } = channelSettings(
    env,
    codeLength,
    credentials,
    secrets.kind === 'aws' ? 'the SENS secret' : 'SENS_ALIMTALK_SERVICE_ID and SENS_PLUS_FRIEND_ID',
  );

  const corsSetting = env.CORS_ALLOWED_ORIGINS ?? (stage === 'prod' ? '' : '*');
  const cors = corsPolicy(corsSetting);
  if (stage === 'prod' && cors.allowAnyOrigin) throw new ConfigError('CORS_ALLOWED_ORIGINS must list origins in prod, not "*"');

  return {
    stage,
    policy: { ...policy, testNumbers },
    allowedCountries,
    token,
    message: { ...message, alimtalkTemplate: alimtalk?.template },
    smsProvider,
    messageChannel,
    alimtalk,
    sens: { endpoint: sensEndpoint, credentials },
    cors,
    tableName: text(env, 'TABLE_NAME', 'phone-verify-local'),
    limitsTableName: text(env, 'LIMITS_TABLE_NAME', 'phone-verify-local-limits'),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    secrets,
  };
}

/**
 * `MESSAGE_CHANNEL` and the Alimtalk settings. Alimtalk is configured when its template is
 * (ALIMTALK_TEMPLATE_CODE and ALIMTALK_TEMPLATE); its ids come with the SENS credentials (in
 * AWS from the SENS secret, so a missing one there shows as a refused send, like any unfilled
 * SENS secret). `MESSAGE_CHANNEL=alimtalk` needs every setting.
 */
function channelSettings(
  env: Env,
  codeLength: number,
  credentials: SensCredentials | undefined,
  idsFrom: string,
): { messageChannel: Channel; alimtalk: AlimtalkSettings | undefined } {
  const messageChannel = text(env, 'MESSAGE_CHANNEL', 'sms');
  if (messageChannel !== 'sms' && messageChannel !== 'alimtalk') throw new ConfigError(`MESSAGE_CHANNEL must be "sms" or "alimtalk", not "${messageChannel}"`);
  const templateCode = env.ALIMTALK_TEMPLATE_CODE || undefined;
  const template = env.ALIMTALK_TEMPLATE || undefined;
  if (templateCode === undefined && template === undefined) {
    if (messageChannel === 'alimtalk') throw new ConfigError('MESSAGE_CHANNEL=alimtalk needs ALIMTALK_TEMPLATE_CODE and ALIMTALK_TEMPLATE');
    return { messageChannel, alimtalk: undefined };
  }
  if (!templateCode) throw new ConfigError('ALIMTALK_TEMPLATE_CODE must be set with ALIMTALK_TEMPLATE');
  if (!template || !template.includes('{code}')) throw new ConfigError('ALIMTALK_TEMPLATE must contain {code}');
  const longest = renderAlimtalk(template, '0'.repeat(codeLength)).length;
  if (longest > ALIMTALK_MAX_CHARACTERS)
    throw new ConfigError(`ALIMTALK_TEMPLATE renders to ${longest} characters; an Alimtalk holds ${ALIMTALK_MAX_CHARACTERS}`);
  if (credentials && (!credentials.alimtalkServiceId || !credentials.plusFriendId)) {
    throw new ConfigError(`Alimtalk needs its service id and KakaoTalk channel id: set ${idsFrom}`);
  }
  return { messageChannel, alimtalk: { templateCode, template } };
}

/** At most this many app-review numbers (SPEC section 2, "Test numbers"). */
const MAX_TEST_NUMBERS = 10;

/**
 * `TEST_NUMBERS`: `number=code,…`, each number a valid mobile of an allowed country (stored by
 * its E.164 form), each code `CODE_LENGTH` digits. Messages name the entry by position and the
 * masked number, never the number itself.
 */
function testNumberCodes(env: Env, allowedCountries: ReadonlySet<string>, codeLength: number): ReadonlyMap<string, string> {
  const entries = (env.TEST_NUMBERS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length > MAX_TEST_NUMBERS) throw new ConfigError(`TEST_NUMBERS lists ${entries.length} numbers; at most ${MAX_TEST_NUMBERS}`);
  const codes = new Map<string, string>();
  entries.forEach((entry, i) => {
    const [number = '', code = '', ...rest] = entry.split('=');
    let phone: PhoneNumber;
    try {
      phone = parsePhoneNumber(number.trim(), allowedCountries);
    } catch {
      throw new ConfigError(`TEST_NUMBERS entry ${i + 1} is not a valid mobile number of ALLOWED_COUNTRIES (write number=code)`);
    }
    if (rest.length > 0 || !new RegExp(`^[0-9]{${codeLength}}$`).test(code.trim())) {
      throw new ConfigError(`TEST_NUMBERS entry ${i + 1} (${phone.masked}): the code must be ${codeLength} digits (CODE_LENGTH)`);
    }
    codes.set(phone.e164, code.trim());
  });
  return codes;
}

/** The SMS format, refused when its longest rendering does not fit one SMS. */
function messageFormat(env: Env, codeLength: number): MessageFormat {
  const template = text(env, 'MESSAGE_TEMPLATE', DEFAULT_MESSAGE_TEMPLATE);
  if (!template.includes('{code}')) throw new ConfigError('MESSAGE_TEMPLATE must contain {code}');
  const androidAppHash = env.ANDROID_APP_HASH || undefined;
  if (androidAppHash !== undefined && !ANDROID_APP_HASH.test(androidAppHash)) {
    throw new ConfigError('ANDROID_APP_HASH must be 11 characters of [A-Za-z0-9+/]');
  }
  const webOtpDomain = env.WEBOTP_DOMAIN || undefined;
  if (webOtpDomain !== undefined && !HOST_NAME.test(webOtpDomain)) throw new ConfigError(`WEBOTP_DOMAIN must be a host name, not "${webOtpDomain}"`);
  const format: MessageFormat = { template, androidAppHash, webOtpDomain };
  const bytes = smsByteLength(renderMessage(format, '0'.repeat(codeLength)));
  if (bytes > SMS_MAX_BYTES) {
    throw new ConfigError(
      `MESSAGE_TEMPLATE renders to ${bytes} EUC-KR bytes with a ${codeLength}-digit code and the auto-fill lines; one SMS holds ${SMS_MAX_BYTES}`,
    );
  }
  return format;
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
  if (value !== undefined && value.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
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

/** A whole number in plain decimal digits: no spaces, sign, leading zeros or exponent (SPEC section 4). */
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
