import { Duration, SecretValue, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { ApiDestination, type IApiDestination, Authorization, Connection, EventBus, HttpMethod, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { ApiDestination as ApiDestinationTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition, type Function as LambdaFunction, type Runtime } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/domain/lifecycle-events';
import { serviceName } from '../../functions/adapters/telemetry-names';
import { VerificationFunction } from './verification-function';
import codeSent from '../../docs/events/verification-code-sent.schema.json';
import checkFailed from '../../docs/events/verification-check-failed.schema.json';
import locked from '../../docs/events/verification-locked.schema.json';
import verified from '../../docs/events/phone-number-verified.schema.json';

/** The events' JSON Schemas (docs/events/), registered so consumers can download code bindings. */
const EVENT_SCHEMAS = [codeSent, checkFailed, locked, verified] as const;

/**
 * An HTTPS endpoint of yours that receives every lifecycle event (docs/events.md, "A webhook"):
 * EventBridge's API destination POSTs each event as JSON with one authorization header, whose
 * value it keeps in Secrets Manager through its connection.
 */
export interface WebhookSettings {
  /** `https://…`; EventBridge calls it at most `ratePerSecond` times a second. */
  readonly endpoint: string;
  /** The header the endpoint checks (default `Authorization`). */
  readonly headerName?: string | undefined;
  /** Name or ARN of a Secrets Manager secret you created whose plain text is the header's value. */
  readonly headerValueSecret: string;
  /** Default 10. */
  readonly ratePerSecond?: number | undefined;
}

export interface LifecycleEventsProps {
  readonly stage: string;
  readonly table: Table;
  /** A bus of yours; otherwise `phone-verify-<stage>` is created. */
  readonly eventBus?: IEventBus | undefined;
  readonly phoneNumber: 'full' | 'masked';
  readonly webhook?: WebhookSettings | undefined;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly tracing: boolean;
  readonly allowedCountries: readonly string[];
  readonly runtime: Runtime;
}

/**
 * aws-cdk-lib's classes declare optional members (`tableStreamArn?`, `eventSourceName?`) that its
 * own interfaces declare required: under `exactOptionalPropertyTypes` a class is then not its
 * interface. The objects are the same; only the compiler's view is widened here.
 */
const asInterface = <T>(construct: object): T => construct as T;

/** The events function's limit: ten records at their worst (see below). */
export const EVENTS_FUNCTION_TIMEOUT_SECONDS = 120;

/** A stream record is tried this often (bisected on each failure) before only a pointer to it is kept. */
export const STREAM_RETRY_ATTEMPTS = 20;
/** …or until it is this old: well inside the stream's 24 hours, so a pointer still finds its record for a day. */
export const STREAM_MAX_RECORD_AGE = Duration.hours(6);
/** A webhook delivery is retried for 24 hours (EventBridge's maximum) before it goes to the webhook's queue. */
export const WEBHOOK_MAX_EVENT_AGE = Duration.hours(24);

/**
 * The lifecycle events (docs/events.md): the verifications table's stream (new and old images)
 * feeds the events function, which maps each committed change and puts its events on the bus;
 * what the bus refuses after every round goes whole to the function's own dead-letter queue.
 * Optionally a webhook, and the schemas in a registry.
 */
export class LifecycleEvents extends Construct {
  readonly eventBus: IEventBus;
  readonly function: LambdaFunction;
  readonly functionRole: VerificationFunction['role'];
  /** Unpublished events, whole; and pointers to stream records the function never got through. */
  readonly deadLetterQueue: Queue;
  readonly webhookDeadLetterQueue?: Queue;
  readonly schemaRegistryName: string;

  constructor(scope: Construct, id: string, props: LifecycleEventsProps) {
    super(scope, id);
    this.eventBus = props.eventBus ?? asInterface<IEventBus>(new EventBus(this, 'Bus', { eventBusName: `phone-verify-${props.stage}` }));
    const queue = (name: string) =>
      new Queue(this, name, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: props.removalPolicy,
      });
    this.deadLetterQueue = queue('DeadLetters');

    // Per record at worst: 4 PutEvents rounds of ≤ 1 s plus 0.7 s of backoff, then its events
    // (two at most) to the dead-letter queue, each SendMessage ≤ 3 attempts of 1 s: about 11 s;
    // ten records a batch.
    const fn = new VerificationFunction(this, 'Function', {
      handler: 'events',
      environment: {
        STAGE: props.stage,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        EVENTS_PHONE_NUMBER: props.phoneNumber,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: serviceName(props.stage),
      },
      timeout: Duration.seconds(EVENTS_FUNCTION_TIMEOUT_SECONDS),
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      tracing: props.tracing,
      allowedCountries: props.allowedCountries,
      runtime: props.runtime,
    });
    this.function = fn.function;
    this.functionRole = fn.role;
    fn.function.addEventSource(
      new DynamoEventSource(asInterface<ITable>(props.table), {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: STREAM_MAX_RECORD_AGE,
        reportBatchItemFailures: true,
        // One batch per shard at a time: a number's changes stay in order.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.deadLetterQueue),
        // TTL's deletions publish nothing: they never reach the function.
        filters: [FilterCriteria.filter({ eventName: FilterRule.or('INSERT', 'MODIFY') })],
      }),
    );
    fn.role.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
    this.deadLetterQueue.grantSendMessages(fn.role);

    const registry = new CfnRegistry(this, 'Schemas', {
      registryName: `phone-verify-${props.stage}`,
      description: 'phone-verify lifecycle events (docs/events/)',
    });
    this.schemaRegistryName = registry.attrRegistryName;
    for (const schema of EVENT_SCHEMAS) {
      const s = new CfnSchema(this, `Schema${schema.title.replace(/ /g, '')}`, {
        registryName: registry.attrRegistryName,
        schemaName: `${EVENT_SOURCE}@${schema.title.replace(/ /g, '')}`,
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(schema),
        description: schema.description,
      });
      s.addResourceDependency(registry);
    }

    if (props.webhook) {
      const hook = props.webhook;
      if (!/^https:\/\/[^\s/?#]+[^\s]*$/.test(hook.endpoint)) throw new Error(`webhook.endpoint must be an https URL, not "${hook.endpoint}"`);
      this.webhookDeadLetterQueue = queue('WebhookDeadLetters');
      const connection = new Connection(this, 'WebhookConnection', {
        description: `phone-verify ${props.stage} webhook`,
        authorization: Authorization.apiKey(hook.headerName ?? 'Authorization', SecretValue.secretsManager(hook.headerValueSecret)),
      });
      const destination = new ApiDestination(this, 'Webhook', {
        connection,
        endpoint: hook.endpoint,
        httpMethod: HttpMethod.POST,
        rateLimitPerSecond: hook.ratePerSecond ?? 10,
      });
      new Rule(this, 'ToWebhook', {
        eventBus: this.eventBus,
        eventPattern: { source: [EVENT_SOURCE] },
        targets: [
          new ApiDestinationTarget(asInterface<IApiDestination>(destination), {
            deadLetterQueue: this.webhookDeadLetterQueue,
            maxEventAge: WEBHOOK_MAX_EVENT_AGE,
            retryAttempts: 185,
          }),
        ],
      });
    }
  }
}
