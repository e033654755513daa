import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IHostedZone } from 'aws-cdk-lib/aws-route53';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { serviceName } from '../functions/adapters/telemetry-names';
import { DEFAULT_TOKEN_KEYS, checkTokenKeySettings, type TokenKeySettings } from './constructs/token-keys';
import { nodeRuntime } from './constructs/verification-function';
import { readConfig, readEventsConfig, type AwsSmsSettings, type EventsConfig, type RuntimeConfig } from '../functions/config';
import type { WebhookSettings } from './constructs/lifecycle-events';

/**
 * An existing certificate and hosted zone for a custom API domain (off unless configured): by ARN
 * and id (cdk.json), or as the constructs of your app (`ICertificate`, `IHostedZone`).
 */
export type CustomDomain = {
  readonly domainName: string;
  /**
   * Close the `execute-api` endpoint, so the API answers on the custom domain only (and the WAF and
   * the domain's TLS policy cannot be walked around). Default false.
   */
  readonly disableExecuteApiEndpoint?: boolean | undefined;
} & (
  | { readonly certificateArn: string; readonly hostedZoneId: string; readonly hostedZoneName: string }
  | { readonly certificate: ICertificate; readonly hostedZone: IHostedZone }
);

/** The service settings by name (docs/configuration.md), as the functions read them: strings, validated at synth. */
export type ServiceSettings = Partial<Record<ServiceSettingName, string>>;

/** Every variable a stage may set for the functions; anything else is refused at synth (a typo would be ignored). */
export const SERVICE_SETTING_NAMES = [
  'CODE_LENGTH',
  'CODE_TTL_SECONDS',
  'MAX_CHECK_ATTEMPTS',
  'RESEND_COOLDOWN_SECONDS',
  'MAX_SENDS_PER_DAY',
  'ALLOWED_COUNTRIES',
  'TOKEN_TTL_SECONDS',
  'TOKEN_ISSUER',
  'TOKEN_AUDIENCE',
  'SMS_PROVIDER',
  'SENS_ENDPOINT',
  'SMS_TIMEOUT_MS',
  'SMS_BUDGET_PER_HOUR',
  'MAX_SENDS_PER_PREFIX_PER_HOUR',
  'MESSAGE_TEMPLATE',
  'MESSAGE_CHANNEL',
  'ALIMTALK_TEMPLATE_CODE',
  'ALIMTALK_TEMPLATE',
  'WEBOTP_DOMAIN',
  'ANDROID_APP_HASH',
  'TEST_NUMBERS',
  'EVENTS_PHONE_NUMBER',
  'CHALLENGE_TIMEOUT_MS',
] as const;
export type ServiceSettingName = (typeof SERVICE_SETTING_NAMES)[number];

/**
 * What a stage is for, whatever its name: `production` turns on WAF, data protection, long log
 * retention and required alarms, and refuses CORS `*`; `development` keeps a stage cheap and
 * disposable. `prod` and `dev` imply theirs; any other name must say which.
 */
export type Preset = 'production' | 'development';

/** The presets the two well-known names imply; every other stage name must give one. */
const PRESET_OF_NAME: Readonly<Record<string, Preset>> = { prod: 'production', dev: 'development' };

/** The preset of `stage`: the one given, or the one its name implies. @throws Error when neither */
export function presetOf(stage: string, given: Preset | undefined): Preset {
  if (given !== undefined && given !== 'production' && given !== 'development')
    throw new Error(`preset must be "production" or "development", not "${String(given)}"`);
  const preset = given ?? PRESET_OF_NAME[stage];
  if (!preset) {
    throw new Error(
      `stage "${stage}" needs a preset: "production" (WAF, data protection, alarms required) or "development"; only dev and prod imply one (cdk.json: "phone-verify" → "${stage}" → "preset", or -c preset=…)`,
    );
  }
  return preset;
}

/** Everything that differs between environments. One typed place; every field has a default. */
export interface StageSettings {
  /** Names the stage's resources (`phone-verify-<stage>`, secrets `phone-verify/<stage>/…`). */
  readonly stage: string;
  /** What the stage is for; its defaults come from it (see `Preset`). */
  readonly preset: Preset;
  /**
   * The very first deploy of a production stage: termination protection and the tables' deletion
   * protection stay off, so a create that fails rolls back cleanly and can simply be run again.
   * The first-deploy steps deploy once with it, then without it (docs/deploy.md, "First deploy on a new account").
   */
  readonly firstDeploy?: boolean | undefined;
  /** The service settings (docs/configuration.md), exactly as the functions read them (validated by `readConfig`). */
  readonly serviceSettings: Readonly<ServiceSettings>;
  /** Browser origins; `*` is refused in prod. Empty: no browser may call the API. */
  readonly corsAllowedOrigins: readonly string[];
  /** API Gateway stage throttling (all clients together). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * WAF web ACL: rate-based rules per client IP (strict on the send route, looser on every
   * route), AWS's IP-reputation and anonymous-IP lists. Behind a backend, name the header that carries the user's address
   * (`clientIpHeader`, e.g. `X-Forwarded-For`); the anonymous-IP list is then off unless asked,
   * since the backend's own cloud address would be on it.
   */
  readonly waf: {
    readonly enabled: boolean;
    readonly sendRequestsPer5MinPerIp: number;
    /** Every route together, per IP: looser than the send rule, so one address cannot use up the stage throttle everyone shares. */
    readonly requestsPer5MinPerIp: number;
    readonly clientIpHeader?: string | undefined;
    readonly anonymousIpList?: boolean | undefined;
    /** Log what WAF judges to CloudWatch (`aws-waf-logs-phone-verify-<stage>`, the stage's retention; the query redacted). Default off. */
    readonly logging?: boolean | undefined;
  };
  readonly logRetention: RetentionDays;
  readonly alarmEmail?: string | undefined;
  /** An existing SNS topic for the alarms instead of an e-mail (prod needs one of the two). */
  readonly alarmTopicArn?: string | undefined;
  /**
   * Reserves this much concurrency per function. Off by default: Lambda keeps 100 unreserved, so
   * reserving needs an account quota above 100 + 2 × this (new accounts often have 10 or 50). The
   * spend ceiling is the hourly SMS budget's job, not this.
   */
  readonly reservedConcurrency?: number | undefined;
  /** API Gateway per-method detailed metrics (each is billed as a custom metric; nothing here reads them). */
  readonly apiDetailedMetrics?: boolean | undefined;
  readonly memorySize: number;
  /** X-Ray on the API and the functions: $5 per million traced requests; off unless asked (the logs carry the request id). */
  readonly tracing: boolean;
  /** Prod: point-in-time recovery, deletion protection, kept on stack deletion (but not after a failed first create). */
  readonly protectData: boolean;
  readonly customDomain?: CustomDomain | undefined;
  /** Serve demo/index.html at `GET /` of the API (off by default: it is a demo, not a product page). */
  readonly demoPage?: boolean | undefined;
  /** The token keys the stack keeps in KMS, by name, and the one that signs (rotation: docs/tokens.md). */
  readonly tokenKeys: TokenKeySettings;
  /** An existing EventBridge bus (by name) for the lifecycle events instead of `phone-verify-<stage>` (docs/events.md). */
  readonly eventBusName?: string | undefined;
  /** Deliver every lifecycle event to an HTTPS endpoint of yours as well (docs/events.md, "A webhook"). Off unless set. */
  readonly webhook?: WebhookSettings | undefined;
  /** SMS providers tried in this order (docs/channels.md, "Providers and failover"); default `['sens']`. */
  readonly smsProviders?: ReadonlyArray<'sens' | 'aws' | 'lambda'> | undefined;
  /** Optional settings of the `aws` provider: an origination identity (its ARN scopes the permission), a configuration set, a protect configuration. */
  readonly awsSms?: AwsSmsSettings | undefined;
  /** The `lambda` provider's function by ARN (cdk.json); construct users pass `smsHook` instead. */
  readonly smsHookFunctionArn?: string | undefined;
  /**
   * The three functions' Lambda runtime, e.g. `nodejs26.x` (default `nodejs24.x`, the newest LTS
   * Lambda runs and the bundles' build target). It must be one this aws-cdk-lib knows, 24 or later.
   */
  readonly lambdaRuntime?: string | undefined;
  /** A bot challenge on send (docs/challenge.md); off unless set. Its secret key goes in `phone-verify/<stage>/challenge`. */
  readonly challenge?: ChallengeStageSettings | undefined;
}

/** The bot challenge of a stage (docs/challenge.md, "Turn it on"): the CHALLENGE_* settings but the secret and the timeout. */
export interface ChallengeStageSettings {
  readonly provider: 'turnstile' | 'hcaptcha' | 'recaptcha';
  /** The widget's site key (public). A production stage refuses the services' documented test keys. */
  readonly siteKey: string;
  /** `always` (default) or `tripped`: only while the SMS-pumping guard has tripped the destination without blocking it. */
  readonly when?: 'always' | 'tripped' | undefined;
  /** Host names (or Android package names) the service must report. */
  readonly hostnames?: readonly string[] | undefined;
  /** The action the service must report (Turnstile, reCAPTCHA v3). */
  readonly action?: string | undefined;
  /** reCAPTCHA v3's lowest score accepted (default 0.5). */
  readonly minScore?: number | undefined;
}

const CHALLENGE_KEYS = ['provider', 'siteKey', 'when', 'hostnames', 'action', 'minScore'] as const;

/** A stage of this repo's app: its settings and, for prod necessarily, where it deploys. */
export interface StageConfig extends StageSettings {
  /** AWS account (12 digits) and region the stage deploys to; prod must name both (data stays where the operator chose). */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

const DEV: Omit<StageSettings, 'stage'> = {
  preset: 'development',
  serviceSettings: {},
  corsAllowedOrigins: ['*'],
  throttle: { rateLimit: 20, burstLimit: 40 },
  waf: { enabled: false, sendRequestsPer5MinPerIp: 100, requestsPer5MinPerIp: 1000 },
  logRetention: RetentionDays.ONE_WEEK,
  memorySize: 256,
  tracing: false,
  protectData: false,
  tokenKeys: DEFAULT_TOKEN_KEYS,
};

/**
 * The production preset's hourly SMS budget. The cost table's 1,000,000 verifications a month
 * (docs/cost.md) are about 1,370 an hour on average; traffic peaks at a few times its average,
 * and a budget that refuses real people in a peak is an outage. 5,000 carries 3.6 times the
 * average. It is also the most an attacker can make a stage send in an hour (docs/security.md):
 * a stage with less traffic should lower it.
 */
export const PRODUCTION_SMS_BUDGET_PER_HOUR = 5000;

const PROD: Omit<StageSettings, 'stage'> = {
  preset: 'production',
  serviceSettings: { SMS_BUDGET_PER_HOUR: String(PRODUCTION_SMS_BUDGET_PER_HOUR) },
  corsAllowedOrigins: [],
  throttle: { rateLimit: 100, burstLimit: 200 },
  waf: { enabled: true, sendRequestsPer5MinPerIp: 100, requestsPer5MinPerIp: 1000 },
  logRetention: RetentionDays.THREE_MONTHS,
  memorySize: 256,
  tracing: false,
  protectData: true,
  tokenKeys: DEFAULT_TOKEN_KEYS,
};

/** Where a stage deploys when it names no region: Seoul, next to SENS and to Korean users. */
export const DEFAULT_REGION = 'ap-northeast-2';

/** Settings on top of a stage's defaults, as code gives them (the construct's props). */
export type SettingsOverrides = Partial<Omit<StageSettings, 'stage' | 'waf' | 'throttle'>> & {
  /** `{ enabled: false }` alone turns WAF off; each field on its own keeps the other's default. */
  readonly waf?: Partial<StageSettings['waf']>;
  readonly throttle?: Partial<StageSettings['throttle']>;
};

/** The subset of StageConfig an operator may override per stage in cdk.json (`phone-verify` → stage) or with `-c`: JSON, so days, not RetentionDays. */
export type StageOverrides = Omit<SettingsOverrides, 'logRetention'> & {
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  readonly logRetentionDays?: number;
};

/**
 * The settings of `stage`: prod's, or dev's for any other name, then `overrides` on top.
 * (`alarmTopicGiven`: the construct was handed an SNS topic, which satisfies prod's alarm rule.)
 * The service settings are checked by `serviceConfig`, which the construct calls next.
 * @throws Error naming the bad setting
 */
export function stageSettings(stage: string, overrides: SettingsOverrides = {}, options: { readonly alarmTopicGiven?: boolean } = {}): StageSettings {
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(stage)) throw new Error(`stage must be lower-case letters, digits and -, not "${stage}"`);
  const production = presetOf(stage, overrides.preset) === 'production';
  const base = production ? PROD : DEV;
  const settings: StageSettings = {
    ...base,
    ...withoutUndefined(overrides),
    stage,
    serviceSettings: { ...base.serviceSettings, ...overrides.serviceSettings },
    waf: { ...base.waf, ...withoutUndefined(overrides.waf ?? {}) },
    throttle: { ...base.throttle, ...withoutUndefined(overrides.throttle ?? {}) },
  };
  checkTokenKeySettings(settings.tokenKeys);
  if (settings.lambdaRuntime !== undefined) nodeRuntime(settings.lambdaRuntime);
  const { sendRequestsPer5MinPerIp: send, requestsPer5MinPerIp: all } = settings.waf;
  // WAF's own bounds for a rate-based rule; the every-route rule is the looser one.
  for (const [name, limit] of [
    ['sendRequestsPer5MinPerIp', send],
    ['requestsPer5MinPerIp', all],
  ] as const)
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000)
      throw new Error(`waf.${name} must be a whole number from 10 to 2000000000, not ${limit}`);
  if (all < send) throw new Error(`waf.requestsPer5MinPerIp (${all}, every route) must be at least waf.sendRequestsPer5MinPerIp (${send})`);
  const unknown = Object.keys(settings.serviceSettings).filter((name) => !(SERVICE_SETTING_NAMES as readonly string[]).includes(name));
  // In AWS the secret key and the endpoint it would go to are never plain settings (docs/challenge.md).
  if (unknown.includes('CHALLENGE_ENDPOINT')) throw new Error('serviceSettings: CHALLENGE_ENDPOINT only works locally: in AWS it would receive the secret key');
  if (unknown.includes('CHALLENGE_SECRET'))
    throw new Error('serviceSettings: CHALLENGE_SECRET never goes in a setting: the stack keeps it in Secrets Manager (phone-verify/<stage>/challenge)');
  const challengeNames = unknown.filter((name) => name.startsWith('CHALLENGE_'));
  if (challengeNames.length > 0)
    throw new Error(
      `serviceSettings: ${challengeNames.join(', ')}: the bot challenge is the "challenge" setting of the stage (docs/challenge.md, "Turn it on")`,
    );
  if (unknown.length > 0) throw new Error(`serviceSettings: ${unknown.join(', ')} is not a setting of the service (docs/configuration.md)`);
  checkChallengeShape(settings.challenge);
  if (production && settings.corsAllowedOrigins.includes('*')) throw new Error(`corsAllowedOrigins: ${stage} (production) must list origins, not "*"`);
  if (production && !settings.alarmEmail && !settings.alarmTopicArn && !options.alarmTopicGiven)
    throw new Error(`${stage} (production) needs alarmEmail, alarmTopicArn or alarmTopic (someone must hear the alarms)`);
  return settings;
}

/**
 * A stage of this repo's app (cdk.json and `-c`): its settings, and where it deploys, which
 * prod must name.
 * @throws Error naming every missing or bad setting (a bad service setting: when the construct reads it)
 */
export function stageConfig(stage: string, overrides: StageOverrides = {}): StageConfig {
  const { logRetentionDays, account, region, ...rest } = overrides;
  if (presetOf(stage, rest.preset) === 'production') {
    const missing = [
      !account && 'account (the 12-digit AWS account id)',
      !region && `region (e.g. ${DEFAULT_REGION})`,
      !rest.alarmEmail && !rest.alarmTopicArn && 'alarmEmail or alarmTopicArn (someone must hear the alarms)',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(
        `${stage} (production) needs ${missing.join(', ')}: set them in cdk.json (context "phone-verify" → "${stage}") or with -c, e.g. npx cdk deploy -c stage=${stage} -c account=123456789012 -c region=${DEFAULT_REGION} -c alarmEmail=ops@example.com`,
      );
    }
  }
  if (account !== undefined && !/^[0-9]{12}$/.test(account)) throw new Error(`account must be a 12-digit AWS account id, not "${account}"`);
  const settings = stageSettings(stage, { ...rest, ...(logRetentionDays !== undefined && { logRetention: logRetentionDays as RetentionDays }) });
  return { ...settings, account, region };
}

/** `{ ...defaults, ...overrides }` must not let an explicit `undefined` wipe a default. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The service settings of a stage as the functions will read them, defaults filled in by the
 * functions' own code: a bad value fails `cdk synth`, not the first request, and the stack sizes
 * itself (function timeouts, the phone metadata, the budget shown) from the same numbers.
 */
export function serviceConfig(settings: StageSettings, options: { readonly smsHookGiven?: boolean } = {}): RuntimeConfig {
  const hook = settings.smsHookFunctionArn ?? (options.smsHookGiven ? 'the-construct-s-smsHook' : undefined);
  return readConfig({
    ...functionEnvironment(settings),
    ...providerEnvironment(settings),
    ...challengeEnvironment(settings),
    ...(hook && { SMS_HOOK_FUNCTION: hook }),
    // As in the functions, the secrets come from Secrets Manager (only their names matter here).
    CODE_HASH_SECRET_ARN: 'set-by-the-stack',
    ...(settings.challenge && { CHALLENGE_SECRET_ARN: 'set-by-the-stack' }),
  });
}

/**
 * `challenge` as cdk.json may give it (JSON, so any shape): the known members, each of its type.
 * The values themselves are judged by the functions' own reading (`challengeEnvironment` → `readConfig`).
 */
function checkChallengeShape(challenge: unknown): void {
  if (challenge === undefined) return;
  if (typeof challenge !== 'object' || challenge === null || Array.isArray(challenge)) throw new Error('challenge must be an object: { provider, siteKey, … }');
  const given = challenge as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(CHALLENGE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`challenge: ${unknown.join(', ')} is not one of ${CHALLENGE_KEYS.join(', ')}`);
  for (const key of ['provider', 'siteKey', 'when', 'action'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'string') throw new Error(`challenge.${key} must be a string`);
  }
  if (given.hostnames !== undefined && !(Array.isArray(given.hostnames) && given.hostnames.every((h) => typeof h === 'string' && h !== '' && !h.includes(','))))
    throw new Error('challenge.hostnames must be a list of host names (or Android package names)');
  if (given.minScore !== undefined && typeof given.minScore !== 'number') throw new Error('challenge.minScore must be a number from 0.0 to 1.0');
}

/** The CHALLENGE_* variables of the send function for a stage's `challenge` (none without one; the secret comes by ARN). */
export function challengeEnvironment(settings: Pick<StageSettings, 'challenge'>): Record<string, string> {
  const c = settings.challenge;
  if (!c) return {};
  return {
    CHALLENGE_PROVIDER: c.provider,
    CHALLENGE_SITE_KEY: c.siteKey,
    ...(c.when !== undefined && { CHALLENGE_WHEN: c.when }),
    ...(c.hostnames !== undefined && c.hostnames.length > 0 && { CHALLENGE_HOSTNAMES: c.hostnames.join(',') }),
    ...(c.action !== undefined && { CHALLENGE_ACTION: c.action }),
    ...(c.minScore !== undefined && { CHALLENGE_MIN_SCORE: String(c.minScore) }),
  };
}

/** SMS_PROVIDER (`sens` unless told) and the aws provider's variables, from `smsProviders` and `awsSms` (a serviceSettings SMS_PROVIDER that disagrees is refused). */
export function providerEnvironment(settings: StageSettings): Record<string, string> {
  const given = settings.serviceSettings.SMS_PROVIDER;
  const listed = settings.smsProviders?.join(',');
  if (given !== undefined && listed !== undefined && given !== listed)
    throw new Error(`smsProviders (${listed}) and serviceSettings.SMS_PROVIDER (${given}) disagree: set one of them`);
  const aws = settings.awsSms ?? {};
  return {
    // What the functions use in AWS when nothing is said: SENS.
    SMS_PROVIDER: listed ?? given ?? 'sens',
    ...(aws.originationIdentity && { AWS_SMS_ORIGINATION_IDENTITY: aws.originationIdentity }),
    ...(aws.configurationSetName && { AWS_SMS_CONFIGURATION_SET: aws.configurationSetName }),
    ...(aws.protectConfigurationId && { AWS_SMS_PROTECT_CONFIGURATION_ID: aws.protectConfigurationId }),
  };
}

/** The events function's settings of a stage, read by its own code (a bad EVENTS_PHONE_NUMBER fails the synth). */
export function eventsConfig(settings: StageSettings): EventsConfig {
  return readEventsConfig({ ...settings.serviceSettings, STAGE: settings.stage });
}

/** The environment variables a function gets for this stage (no secrets: only their ARNs are added). */
export function functionEnvironment(config: StageSettings): Record<string, string> {
  return {
    ...config.serviceSettings,
    STAGE: config.stage,
    STAGE_PRESET: config.preset,
    CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(','),
    POWERTOOLS_SERVICE_NAME: serviceName(config.stage),
  };
}
