import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { AwsSmsSettings } from '../functions/config';
import {
  challengeEnvironment,
  eventsConfig,
  functionEnvironment,
  providerEnvironment,
  serviceConfig,
  stageSettings,
  type SettingsOverrides,
  type StageSettings,
} from './config';
import { LifecycleEvents } from './constructs/lifecycle-events';
import { Monitoring } from './constructs/monitoring';
import { ServiceSecrets } from './constructs/service-secrets';
import { TokenKeys } from './constructs/token-keys';
import { VerificationApi } from './constructs/verification-api';
import { DEFAULT_LAMBDA_RUNTIME, VerificationFunction, newestNodeRuntime, nodeRuntime } from './constructs/verification-function';
import { VerificationTable } from './constructs/verification-table';
import { LIMITS_TABLE } from '../functions/adapters/table-definition';
import { DYNAMODB_CALL_LIMIT_MS, DYNAMODB_TIMEOUTS, SEND_DYNAMODB_ALLOWANCE_MS } from '../functions/adapters/dynamodb-timeouts';
import { worstSendMs } from '../functions/domain/send-time';

export interface PhoneVerificationProps extends SettingsOverrides {
  /** Names the resources. `prod` and `dev` imply their preset; any other name needs `preset`. Default `dev`. */
  readonly stage?: string;
  /**
   * Acknowledge the cdk-nag AwsSolutions findings this design accepts, each with its reason
   * (`nagAcknowledgements`). Default true; false leaves every finding to you.
   */
  readonly acknowledgeNagFindings?: boolean;
  /** An SNS topic of your app for the alarms (instead of `alarmTopicArn` or a new topic); prod needs it, an ARN or an e-mail. */
  readonly alarmTopic?: ITopic;
  /** The `lambda` SMS provider's function (docs/channels.md, "Your own function"); the send function may invoke it and nothing else. */
  readonly smsHook?: IFunction;
  /** A bus of your app for the lifecycle events (instead of `eventBusName` or the stage's own `phone-verify-<stage>`). */
  readonly eventBus?: IEventBus;
}

/** A cdk-nag finding this design accepts, on one construct, with a reason a reviewer can check. */
export interface Acknowledgement {
  readonly construct: IConstruct;
  readonly id: string;
  readonly reason: string;
}

/**
 * The whole service in one construct: the verifications table and the abuse counters, the
 * secrets, the send and check functions (prebuilt bundles: no esbuild at synth), the REST API
 * with its WAF and optional custom domain, alarms and a dashboard.
 *
 *   new PhoneVerification(this, 'Verify', { stage: 'prod', alarmEmail: 'ops@example.com' });
 */
export class PhoneVerification extends Construct {
  /** The settings in force: the stage's defaults with the props on top. */
  readonly settings: StageSettings;
  /** Base URL of the API (`{apiUrl}v1/verifications`); the custom domain's when there is one. */
  readonly apiUrl: string;
  readonly api: RestApi;
  /** One item per phone number: codes, attempts, the resend window. */
  readonly table: Table;
  /** Abuse counters (hourly SMS budget, number ranges): only the send function writes them. */
  readonly limitsTable: Table;
  /** Fill `sensSecret` once with the SENS credentials. */
  readonly sensSecret: Secret;
  /** Where a bot challenge is configured: fill it once with the service's secret key (docs/challenge.md). */
  readonly challengeSecret?: Secret;
  readonly codeHashSecret: Secret;
  readonly sendCodeFunction: LambdaFunction;
  readonly checkCodeFunction: LambdaFunction;
  /** The KMS key that signs tokens now, and every key the JWKS publishes (by name). */
  readonly tokenSigningKey: IKey;
  readonly tokenKeys: ReadonlyMap<string, IKey>;
  /** Where backends fetch the keys that verify tokens: `{apiUrl}.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** Where the lifecycle events go (docs/events.md): subscribe with a rule on it. */
  readonly eventBus: IEventBus;
  /** The function that turns the table's stream into events. */
  readonly eventsFunction: LambdaFunction;
  /** Events it could not publish, whole (and pointers to stream records it never got through): alarmed on. */
  readonly eventsDeadLetterQueue: Queue;
  /** The EventBridge schema registry holding the events' schemas (docs/events/). */
  readonly schemaRegistryName: string;
  /** Where the alarms go: the topic given by ARN, or a new one (with the e-mail subscribed). */
  readonly alarmTopic: ITopic;
  readonly dashboardName: string;
  /** The cdk-nag findings this design accepts (applied unless `acknowledgeNagFindings: false`). */
  readonly nagAcknowledgements: readonly Acknowledgement[];

  constructor(scope: Construct, id: string, props: PhoneVerificationProps = {}) {
    super(scope, id);
    const { stage = 'dev', acknowledgeNagFindings = true, alarmTopic, eventBus, smsHook: givenHook, ...overrides } = props;
    const settings = stageSettings(stage, overrides, { alarmTopicGiven: alarmTopic !== undefined });
    // The functions' own reading of the settings: a bad value fails the synth, and the sizes below come from it.
    if (settings.smsProviders?.includes('lambda') && !givenHook && !settings.smsHookFunctionArn)
      throw new Error('smsProviders lists "lambda": give the construct smsHook (or smsHookFunctionArn in cdk.json)');
    const { policy, allowedCountries, smsProviders, awsSms, challenge } = serviceConfig(settings, { smsHookGiven: givenHook !== undefined });
    this.settings = settings;
    // What prod keeps survives an update or a deletion of the stack, but not a failed first
    // create: a rollback then removes it, so the next deploy does not trip over a retained name.
    const removalPolicy = settings.protectData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    // A first create's rollback must delete the tables it made: deletion protection only from the second deploy.
    const deletionProtection = settings.protectData && !settings.firstDeploy;
    const verifications = new VerificationTable(this, 'Verifications', { protectData: settings.protectData, deletionProtection, removalPolicy });
    const limits = new VerificationTable(this, 'Limits', { protectData: settings.protectData, deletionProtection, removalPolicy, definition: LIMITS_TABLE });
    const secrets = new ServiceSecrets(this, 'Secrets', { stage: settings.stage, removalPolicy, challenge: challenge !== undefined });
    const tokenKeys = new TokenKeys(this, 'TokenKeys', { stage: settings.stage, settings: settings.tokenKeys, protect: settings.protectData });

    const runtime = nodeRuntime(settings.lambdaRuntime ?? DEFAULT_LAMBDA_RUNTIME);
    const common = {
      runtime,
      memorySize: settings.memorySize,
      logRetention: settings.logRetention,
      removalPolicy,
      reservedConcurrency: settings.reservedConcurrency,
      tracing: settings.tracing,
      allowedCountries: [...allowedCountries],
    };
    const smsHook = smsProviders.includes('lambda')
      ? (givenHook ?? LambdaFunction.fromFunctionArn(this, 'SmsHook', settings.smsHookFunctionArn ?? ''))
      : undefined;
    const environment = { ...functionEnvironment(settings), TABLE_NAME: verifications.table.tableName, CODE_HASH_SECRET_ARN: secrets.codeHashSecret.secretArn };
    // Worst paths: send = the worst send (every provider within SMS_TIMEOUT_MS, every DynamoDB call
    // within the send's allowance: the same figure the idempotency lease is made of), which
    // API Gateway's 29 s must outlast; check = the decision (one attempt, then a consistent read
    // when its answer is lost), the streak's reset, KMS's GetPublicKey (once per container) and
    // Sign, each at its limit (a wrong guess's count and lock take no longer). Each plus a cold start.
    // A bot challenge adds its own limit (its keyed read is one more call within the allowance).
    const sendCode = new VerificationFunction(this, 'SendCode', {
      ...common,
      handler: 'send-code',
      timeout: sendFunctionTimeout(policy.smsTimeoutMs, challenge?.timeoutMs),
      environment: {
        ...environment,
        ...providerEnvironment(settings),
        ...challengeEnvironment(settings),
        ...(smsHook && { SMS_HOOK_FUNCTION: smsHook.functionArn }),
        LIMITS_TABLE_NAME: limits.table.tableName,
        SENS_SECRET_ARN: secrets.sensSecret.secretArn,
        ...(secrets.challengeSecret && { CHALLENGE_SECRET_ARN: secrets.challengeSecret.secretArn }),
      },
    });
    const checkCode = new VerificationFunction(this, 'CheckCode', {
      ...common,
      handler: 'check-code',
      timeout: Duration.seconds(Math.ceil((DYNAMODB_TIMEOUTS.requestMs + 4 * DYNAMODB_CALL_LIMIT_MS + COLD_START_MS) / 1000)),
      environment: { ...environment, TOKEN_KEY_ID: tokenKeys.signingKey.keyArn, TOKEN_PUBLISHED_KEY_IDS: tokenKeys.publishedKeyArns.join(',') },
    });
    // Least privilege: exactly the writes each function makes, the secrets it reads.
    // With a bot challenge, one consistent GetItem answers a keyed retry before its token is spent.
    verifications.grantItemActions(sendCode.role, 'PutItem', 'UpdateItem', 'DeleteItem', ...(challenge ? (['GetItem'] as const) : []));
    limits.grantItemActions(sendCode.role, 'UpdateItem');
    // The check's reads: one consistent GetItem after a decision or count whose answer was lost.
    verifications.grantItemActions(checkCode.role, 'UpdateItem', 'GetItem');
    secrets.grantRead(sendCode.role, 'codeHashSecret', 'sensSecret', 'challengeSecret');
    secrets.grantRead(checkCode.role, 'codeHashSecret');
    tokenKeys.grantSignAndPublish(checkCode.role);
    // The SMS providers: End User Messaging on the identities named (docs/channels.md), the hook and nothing else.
    const smsResources = smsProviders.includes('aws') ? endUserMessagingResources(this, awsSms) : [];
    if (smsResources.length > 0) sendCode.role.addToPolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: smsResources }));
    // Exactly the ARN it is invoked by (SMS_HOOK_FUNCTION), not grantInvoke's extra `:*`: the send
    // function never calls another version or alias, and a wildcard is a cdk-nag finding for everyone.
    if (smsHook) sendCode.role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [smsHook.functionArn] }));

    const events = new LifecycleEvents(this, 'Events', {
      ...common,
      stage: settings.stage,
      table: verifications.table,
      eventBus: eventBus ?? (settings.eventBusName ? EventBus.fromEventBusName(this, 'GivenBus', settings.eventBusName) : undefined),
      phoneNumber: eventsConfig(settings).phoneNumber,
      webhook: settings.webhook,
    });

    const http = new VerificationApi(this, 'Http', { settings, sendCode: sendCode.function, checkCode: checkCode.function, removalPolicy });
    const monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      api: http.api,
      sendCode: sendCode.function,
      checkCode: checkCode.function,
      tables: [verifications.table, limits.table],
      alarmEmail: settings.alarmEmail,
      alarmTopicArn: settings.alarmTopicArn,
      alarmTopic,
      firewall: http.firewall,
      smsBudgetPerHour: policy.smsBudgetPerHour,
      smsProviders,
      failoverAlarm: settings.preset === 'production' && smsProviders.length > 1,
      challenge: challenge !== undefined,
      events,
    });

    this.api = http.api;
    this.apiUrl = settings.customDomain ? `https://${settings.customDomain.domainName}/` : http.api.url;
    this.table = verifications.table;
    this.limitsTable = limits.table;
    this.sensSecret = secrets.sensSecret;
    if (secrets.challengeSecret) this.challengeSecret = secrets.challengeSecret;
    this.codeHashSecret = secrets.codeHashSecret;
    this.sendCodeFunction = sendCode.function;
    this.checkCodeFunction = checkCode.function;
    this.tokenSigningKey = tokenKeys.signingKey;
    this.tokenKeys = tokenKeys.keys;
    this.jwksUrl = `${this.apiUrl}.well-known/jwks.json`;
    this.eventBus = events.eventBus;
    this.eventsFunction = events.function;
    this.eventsDeadLetterQueue = events.deadLetterQueue;
    this.schemaRegistryName = events.schemaRegistryName;
    this.alarmTopic = monitoring.topic;
    this.dashboardName = monitoring.dashboard.dashboardName;

    const acknowledgements: Acknowledgement[] = [];
    const acknowledge = (construct: IConstruct, id: string, reason: string) => acknowledgements.push({ construct, id, reason });
    acknowledge(
      events.functionRole,
      'AwsSolutions-IAM5[Resource::*]',
      `dynamodb:ListStreams has no resource-level permissions; the stream reads that matter (DescribeStream, GetShardIterator, GetRecords) are on the stream ARN only.${settings.tracing ? ' ' + XRAY_REASON : ''}`,
    );
    if (smsResources.includes('*'))
      acknowledge(
        sendCode.role,
        'AwsSolutions-IAM5[Resource::*]',
        `sms-voice:SendTextMessage with no origination identity named by ARN (awsSms.originationIdentity): AWS picks the identity, so its ARN cannot be named in advance.${settings.tracing ? ' ' + XRAY_REASON : ''}`,
      );
    // cdk-nag asks for the newest runtime aws-cdk-lib knows; a consumer's newer aws-cdk-lib may know
    // one these bundles were never built or tested for. Acknowledged only while that is so.
    const newest = newestNodeRuntime();
    if (runtime.name !== newest)
      for (const fn of [sendCode.function, checkCode.function, events.function])
        acknowledge(
          fn,
          'AwsSolutions-L1',
          `${runtime.name} is the runtime these functions are built and tested for (esbuild target node24, the newest LTS Lambda runs); ${newest} is newer. Moving is a deliberate change: set lambdaRuntime (docs/deploy.md).`,
        );
    for (const q of [events.deadLetterQueue, events.webhookDeadLetterQueue].filter((q) => q !== undefined))
      acknowledge(q, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue (alarmed on); a queue behind it would hold nothing.');
    if (settings.tracing) {
      for (const role of smsResources.includes('*') ? [checkCode.role] : [sendCode.role, checkCode.role])
        acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', XRAY_REASON);
    }
    acknowledge(
      secrets.codeHashSecret,
      'AwsSolutions-SMG4',
      'Rotating it only voids codes pending at that moment (5 minutes); done by hand (docs/configuration.md, "Secrets").',
    );
    acknowledge(secrets.sensSecret, 'AwsSolutions-SMG4', 'SENS keys are issued in the Naver Cloud console; AWS cannot rotate them.');
    if (secrets.challengeSecret)
      acknowledge(
        secrets.challengeSecret,
        'AwsSolutions-SMG4',
        "The bot challenge's secret key is issued in the service's console (Cloudflare, hCaptcha, Google); AWS cannot rotate it.",
      );
    acknowledge(
      http.api,
      'AwsSolutions-APIG6',
      "Execution logging is off on purpose: it needs a log group API Gateway creates without a retention; the access log (path, status, WAF verdict, user agent) and the functions' own logs, both with a retention, cover it.",
    );
    acknowledge(
      http.api,
      'AwsSolutions-APIG2',
      "The functions validate every request and must answer with the spec's problem+json; a gateway validator would answer in its own format.",
    );
    acknowledge(
      http.api,
      'AwsSolutions-APIG4',
      'Public by design: anyone may ask for a code for a number they hold. Abuse is bounded by per-number limits, the hourly budget, stage throttling and WAF.',
    );
    acknowledge(http.api, 'AwsSolutions-COG4', 'No user pool: callers are not yet users; proving the phone number is what this API is for.');
    if (!http.firewall)
      acknowledge(http.api, 'AwsSolutions-APIG3', 'WAF is off in this stage (a setting; about $8/month with the managed lists); prod turns it on.');
    if (!settings.protectData) {
      acknowledge(
        verifications.table,
        'AwsSolutions-DDB3',
        'Non-production: holds only short-lived codes and counters; losing it costs nothing but pending codes.',
      );
      acknowledge(
        limits.table,
        'AwsSolutions-DDB3',
        'Non-production: hourly abuse counters that expire within two hours; a restore would bring back nothing worth having.',
      );
    }
    this.nagAcknowledgements = acknowledgements;
    if (acknowledgeNagFindings) acknowledgeAll(acknowledgements);
  }
}

/**
 * What SendTextMessage is allowed on: the origination identity, configuration set and protect
 * configuration named, by ARN. Without an identity's ARN AWS picks one, so only `*` can allow it.
 */
function endUserMessagingResources(scope: Construct, aws: AwsSmsSettings): string[] {
  if (!aws.originationIdentity?.startsWith('arn:')) return ['*'];
  const stack = Stack.of(scope);
  const named = (type: string, id: string | undefined) =>
    id === undefined
      ? []
      : id.startsWith('arn:')
        ? [id]
        : [stack.formatArn({ service: 'sms-voice', resource: type, resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })];
  return [aws.originationIdentity, ...named('configuration-set', aws.configurationSetName), ...named('protect-configuration', aws.protectConfigurationId)];
}

/** A cold start's own time: the module load and the secrets (Secrets Manager, three attempts of 1 s). */
const COLD_START_MS = 3_000;

/** API Gateway answers 504 itself after 29 s (its integration timeout): every send must answer before. */
export const API_GATEWAY_TIMEOUT_MS = 29_000;

/**
 * The send function's timeout: the worst send and a cold start, inside API Gateway's 29 s.
 * @throws Error if it is not (a figure changed without the other)
 */
export function sendFunctionTimeout(smsTimeoutMs: number, challengeTimeoutMs?: number): Duration {
  const worst = worstSendMs({ smsTimeoutMs, storeAllowanceMs: SEND_DYNAMODB_ALLOWANCE_MS, challengeTimeoutMs }) + COLD_START_MS;
  if (worst >= API_GATEWAY_TIMEOUT_MS) throw new Error(`the worst send (${worst} ms) would outlast API Gateway's ${API_GATEWAY_TIMEOUT_MS} ms`);
  return Duration.seconds(Math.ceil(worst / 1000));
}

const XRAY_REASON = 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.';

/** Records each acknowledgement with aws-cdk-lib's Validations (cdk-nag 3 reads them; no cdk-nag import needed here). */
export function acknowledgeAll(acknowledgements: readonly Acknowledgement[]): void {
  for (const a of acknowledgements) Validations.of(a.construct).acknowledge({ id: a.id, reason: a.reason });
}
