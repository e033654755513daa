import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  AnomalyDetectionAlarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ApiFirewall } from './api-firewall';
import type { LifecycleEvents } from './lifecycle-events';
import { CHALLENGE_UNAVAILABLE_METRIC, METRIC_NAMESPACE, SMS_ATTEMPT_METRIC, SMS_FAILOVER_METRIC, serviceName } from '../../functions/adapters/telemetry-names';
import { LOCK_METRIC } from '../../functions/http/api';

export interface MonitoringProps {
  readonly stage: string;
  readonly api: RestApi;
  readonly sendCode: IFunction;
  readonly checkCode: IFunction;
  /** Their write throttles are summed into one alarm. */
  readonly tables: readonly Table[];
  readonly alarmEmail?: string | undefined;
  /** An existing topic to alarm instead of a new one. */
  readonly alarmTopicArn?: string | undefined;
  /** An existing topic of the app's own; wins over `alarmTopicArn`. */
  readonly alarmTopic?: ITopic | undefined;
  /** The stage's WAF, if any: its blocks are charted and alarmed on. */
  readonly firewall?: ApiFirewall | undefined;
  /** SMS_BUDGET_PER_HOUR of this stage (0: off), shown on the dashboard. */
  readonly smsBudgetPerHour: number;
  /** The SMS providers in order: a dashboard widget of their attempts. */
  readonly smsProviders: readonly string[];
  /** Alarm when sends need a failover (production with more than one provider). */
  readonly failoverAlarm: boolean;
  /** A bot challenge is configured: its outcomes charted, its service's failures alarmed on (docs/challenge.md). */
  readonly challenge?: boolean | undefined;
  /** The events function and its dead-letter queues: alarmed on. */
  readonly events: LifecycleEvents;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Codes sent in an hour before the conversion rate is judged. */
const CONVERSION_FLOOR = 50;
/** Approved ÷ sent below this (in %) is not people who mistype: real users approve well over half. */
const CONVERSION_ALARM_PERCENT = 20;
/** Numbers locked in an hour before it pages. */
const LOCKS_ALARM_PER_HOUR = 10;
/** A send takes ~200 ms with a healthy provider; 4 s sustained is most of the 5 s SMS timeout. */
const SEND_P99_ALARM_MS = 4_000;
/** The events function reads the stream within seconds; five minutes behind is stuck. */
const EVENTS_LAG_ALARM_MS = 300_000;
/** A check is one DynamoDB write and one KMS Sign, tens of milliseconds; 2 s sustained is trouble. */
const CHECK_P99_ALARM_MS = 2_000;

/**
 * Alarms on what needs a human (5xx, Lambda errors and throttles, SMS failures, DynamoDB
 * throttles) to an SNS topic, and the dashboard an operator opens first.
 */
export class Monitoring extends Construct {
  readonly topic: ITopic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic =
      props.alarmTopic ??
      (props.alarmTopicArn
        ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
        : new Topic(this, 'AlarmTopic', { displayName: `phone-verify ${props.stage} alarms`, enforceSSL: true }));
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // Counts the functions publish as EMF (functions/adapters/observability.ts).
    const service = serviceName(props.stage);
    const outcome = (name: string, label = name) =>
      new Metric({ namespace: METRIC_NAMESPACE, metricName: name, dimensionsMap: { service }, statistic: 'Sum', period: FIVE_MINUTES, label });
    const sent = outcome('CodeSent', 'codes sent');
    const approved = outcome('CodeApproved', 'approvals');
    const smsFailed = outcome('SmsDeliveryFailed', 'SMS refused (502)');
    const smsTimeout = outcome('SmsProviderTimeout', 'SMS timeouts (504)');
    const smsProblems = new MathExpression({
      expression: 'FILL(failed, 0) + FILL(timeouts, 0)',
      usingMetrics: { failed: smsFailed, timeouts: smsTimeout },
      period: FIVE_MINUTES,
      label: 'SMS failures',
    });
    // Every write either function makes, on every table (ids t0u … t1d: metric math wants lower-case names).
    const throttled = props.tables.flatMap((table, t) =>
      (['UpdateItem', 'PutItem', 'DeleteItem'] as const).map(
        (op) =>
          [
            `t${t}${op[0]!.toLowerCase()}`,
            table.metric('ThrottledRequests', { dimensionsMap: { TableName: table.tableName, Operation: op }, statistic: 'Sum', period: FIVE_MINUTES }),
          ] as const,
      ),
    );
    const ddbThrottles = new MathExpression({
      expression: throttled.map(([name]) => `FILL(${name}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(throttled),
      period: FIVE_MINUTES,
      label: 'DynamoDB throttled requests',
    });

    // How an on-call engineer wants to be woken: missing data never alarms (a quiet hour is not an
    // incident); every alarm also says when it is over (OK), so nobody gets up for a blip that
    // healed; and what one stray request can cause (a Lambda timeout, a throttle) must persist,
    // `sustained` periods out of the last three, before it pages.
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      options: { comparison?: ComparisonOperator; sustained?: 1 | 2 | 3 } = {},
    ) => {
      const sustained = options.sustained ?? 1;
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: sustained === 1 ? 1 : 3,
        datapointsToAlarm: sustained,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `phone-verify ${props.stage}: ${description}${sustained > 1 ? ` (in ${sustained} of the last 3 five-minute periods)` : ''}`,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      a.addOkAction(new SnsAction(this.topic));
      this.alarms.push(a);
    };
    // Sends refused with 503 because the bot-challenge service (or its secret) failed us.
    const challengeUnavailable = outcome(CHALLENGE_UNAVAILABLE_METRIC, 'refused: challenge service unavailable (503)');
    // The API's 5xx less the service's own 502/504 for a refusing or silent SMS provider, and the
    // challenge service's 503: those page once, as SmsFailures and ChallengeUnavailable, not twice.
    const api5xx = new MathExpression({
      expression: `MAX([0, FILL(api, 0) - FILL(failed, 0) - FILL(timeouts, 0)${props.challenge ? ' - FILL(challenge, 0)' : ''}])`,
      usingMetrics: {
        api: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        failed: smsFailed,
        timeouts: smsTimeout,
        ...(props.challenge && { challenge: challengeUnavailable }),
      },
      period: FIVE_MINUTES,
      label: props.challenge ? 'API 5xx (not the SMS provider or the challenge service)' : 'API 5xx (not the SMS provider)',
    });
    alarm('Api5xx', api5xx, 5, 'API answered 5xx 5+ times in 5 minutes, besides SMS provider failures (those are SmsFailures)');
    if (props.challenge)
      alarm(
        'ChallengeUnavailable',
        challengeUnavailable,
        1,
        'sends refused with 503 because the bot challenge could not be verified (the service down or refusing our secret key, or the secret not filled in): fail closed, people cannot get codes (docs/challenge.md)',
        { sustained: 2 },
      );
    for (const [name, fn] of [
      ['SendCode', props.sendCode],
      ['CheckCode', props.checkCode],
    ] as const) {
      alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} function errors (crashes, timeouts)`, { sustained: 2 });
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name} function throttled (the account's concurrency, or a reserved one, is used up)`,
        { sustained: 2 },
      );
    }
    alarm('SmsFailures', smsProblems, 5, 'SMS provider refused or timed out 5+ times in 5 minutes');
    alarm('DynamoDbThrottles', ddbThrottles, 1, 'DynamoDB throttled requests', { sustained: 2 });
    // Slow for a quarter of an hour: a dependency is struggling before it fails. The send waits for
    // the SMS provider (its timeout bounds it); a check waits only for DynamoDB and KMS.
    alarm(
      'SendLatency',
      props.sendCode.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }),
      SEND_P99_ALARM_MS,
      `send p99 above ${SEND_P99_ALARM_MS} ms for 15 minutes: the SMS provider or DynamoDB is slow`,
      { sustained: 3 },
    );
    alarm(
      'CheckLatency',
      props.checkCode.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }),
      CHECK_P99_ALARM_MS,
      `check p99 above ${CHECK_P99_ALARM_MS} ms for 15 minutes: DynamoDB or KMS is slow`,
      { sustained: 3 },
    );
    // Lifecycle events (docs/events.md): an event that reached a dead-letter queue needs a human
    // (nothing re-publishes it), and a stream read falling behind means events arrive late.
    alarm(
      'EventsDeadLettered',
      props.events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
      'lifecycle events could not be published and wait in the events dead-letter queue (docs/events.md, "When an event cannot be published")',
    );
    alarm('EventsErrors', props.events.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, 'Events function errors (crashes, timeouts)', {
      sustained: 2,
    });
    alarm(
      'EventsIteratorAge',
      props.events.function.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
      EVENTS_LAG_ALARM_MS,
      `lifecycle events more than ${EVENTS_LAG_ALARM_MS / 60_000} minutes behind the table's changes`,
      { sustained: 2 },
    );
    if (props.events.webhookDeadLetterQueue)
      alarm(
        'WebhookDeadLettered',
        props.events.webhookDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        1,
        'the webhook refused or missed events for 24 hours: they wait in the webhook dead-letter queue',
      );
    // The providers (docs/channels.md): each attempt by provider and outcome; failovers.
    const failovers = outcome(SMS_FAILOVER_METRIC, 'sends that needed a failover');
    if (props.failoverAlarm)
      alarm(
        'SmsFailovers',
        failovers,
        5,
        'sends needed the next SMS provider 5+ times in 5 minutes: the first provider is refusing (check it before the fallback is all there is)',
        {
          sustained: 2,
        },
      );
    const attemptsBy = (provider: string, outcomeName: string) =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName: SMS_ATTEMPT_METRIC,
        dimensionsMap: { service, provider, outcome: outcomeName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label: `${provider} ${outcomeName}`,
      });
    const providerAttempts = props.smsProviders.flatMap((p) => ['accepted', 'refused', 'timed_out'].map((o) => attemptsBy(p, o)));
    const budgetSpent = outcome('SmsBudgetExhausted', 'refused: hourly SMS budget spent');
    const rangeLimited = outcome('NumberRangeLimited', 'refused: number range limit');
    alarm(
      'SmsBudgetExhausted',
      budgetSpent,
      1,
      'the hourly SMS budget is spent: sends are refused until the hour ends (SMS pumping or a real surge; raise SMS_BUDGET_PER_HOUR only if it is real)',
    );
    alarm('NumberRangeLimited', rangeLimited, 10, 'sends to one number range refused 10+ times in 5 minutes: someone is walking a range (SMS pumping)');

    const conversion = new MathExpression({
      expression: 'IF(sent > 0, 100 * approved / sent, 0)',
      usingMetrics: { sent, approved },
      period: FIVE_MINUTES,
      label: 'conversion % (approved ÷ sent)',
    });

    // Attack signals. Pumped numbers never type a code back, so the conversion rate collapses;
    // volume far above its usual band is the other face of the same attack.
    const sentHourly = sent.with({ period: Duration.hours(1) });
    const anomaly = new AnomalyDetectionAlarm(this, 'SendVolumeAnomaly', {
      metric: sentHourly,
      stdDevs: 4,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `phone-verify ${props.stage}: codes sent in an hour far above the usual band (4 standard deviations of CloudWatch anomaly detection): SMS pumping, a bot, or a launch`,
    });
    anomaly.addAlarmAction(new SnsAction(this.topic));
    anomaly.addOkAction(new SnsAction(this.topic));
    this.alarms.push(anomaly);
    const lowConversion = new MathExpression({
      // Only judged with at least 50 codes sent in the hour; below that the rate says nothing.
      expression: `IF(FILL(sent, 0) >= ${CONVERSION_FLOOR}, 100 * FILL(approved, 0) / sent, 100)`,
      usingMetrics: { sent: sentHourly, approved: approved.with({ period: Duration.hours(1) }) },
      period: Duration.hours(1),
      label: 'hourly conversion % (approved ÷ sent, 100 below the volume floor)',
    });
    alarm(
      'LowConversion',
      lowConversion,
      CONVERSION_ALARM_PERCENT,
      `fewer than ${CONVERSION_ALARM_PERCENT}% of codes approved in an hour with ${CONVERSION_FLOOR}+ sent: codes go to numbers nobody reads (SMS pumping)`,
      { comparison: ComparisonOperator.LESS_THAN_THRESHOLD },
    );
    // Locks by the failed-guess streak: one is a person who forgot, many an hour is someone
    // guessing codes across numbers. Alarmed on by their rate, never one by one.
    const locks = outcome(LOCK_METRIC, 'numbers locked').with({ period: Duration.hours(1) });
    alarm(
      'NumberLocks',
      locks,
      LOCKS_ALARM_PER_HOUR,
      `${LOCKS_ALARM_PER_HOUR}+ numbers locked by their failed-guess streak in an hour: someone is guessing codes across numbers`,
    );
    const badNumbers = new MathExpression({
      expression: 'FILL(country, 0) + FILL(invalid, 0)',
      usingMetrics: { country: outcome('UnsupportedCountry'), invalid: outcome('InvalidPhoneNumber') },
      period: FIVE_MINUTES,
      label: 'refused numbers (country, invalid)',
    });
    alarm(
      'RefusedNumbersSpike',
      badNumbers,
      50,
      'unsupported_country or invalid_phone_number 50+ times in 5 minutes: someone is probing number ranges or countries',
    );
    const wafBlocked = props.firewall
      ? new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.firewall.name, Rule: 'ALL', Region: Stack.of(this).region },
          statistic: 'Sum',
          period: FIVE_MINUTES,
          label: 'WAF blocked',
        })
      : undefined;
    if (wafBlocked)
      alarm(
        'WafBlocks',
        wafBlocked,
        100,
        'WAF blocked 100+ requests in 5 minutes (rate rules, IP reputation or anonymous IPs): an attack is being held off; check it is not a real customer',
      );
    const latency = (fn: IFunction, label: string) =>
      ['p50', 'p99'].map((statistic) => fn.metricDuration({ statistic, period: FIVE_MINUTES, label: `${label} ${statistic}` }));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      // The region in the name: dashboards are account-wide, and one stage may run in two regions.
      dashboardName: `phone-verify-${props.stage}-${Stack.of(this).region}`,
      widgets: [
        [new TextWidget({ markdown: `# phone-verify ${props.stage}\nCodes sent, approvals and what went wrong, in 5-minute sums.`, width: 24, height: 2 })],
        [
          new SingleValueWidget({
            title: `Last hour (SMS budget ${props.smsBudgetPerHour > 0 ? `${props.smsBudgetPerHour}/h` : 'off'})`,
            metrics: [
              sent.with({ period: Duration.hours(1), label: 'codes sent this hour' }),
              approved.with({ period: Duration.hours(1) }),
              budgetSpent.with({ period: Duration.hours(1) }),
            ],
            width: 8,
          }),
          new GraphWidget({ title: 'Codes sent and approved', left: [sent, approved], right: [conversion], width: 16 }),
        ],
        [
          new GraphWidget({ title: `SMS providers, in order: ${props.smsProviders.join(', ')}`, left: providerAttempts, right: [failovers], width: 16 }),
          new GraphWidget({
            title: 'Lifecycle events (docs/events.md)',
            left: [
              props.events.function.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum', label: 'events function runs' }),
              props.events.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: 'events function errors' }),
              props.events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum', label: 'dead-lettered' }),
            ],
            right: [props.events.function.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum', label: 'behind the table (ms)' })],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Refused checks',
            left: [
              outcome('IncorrectCode', 'incorrect codes'),
              outcome('TooManyAttempts', 'too many attempts'),
              outcome('VerificationNotFound', 'not found'),
              outcome('VerificationLocked', 'refused: number locked'),
              outcome(LOCK_METRIC, 'numbers locked'),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Refused sends',
            left: [
              outcome('ResendTooSoon', 'resend too soon'),
              outcome('SendLimitReached', 'daily cap'),
              outcome('UnsupportedCountry', 'unsupported country'),
              rangeLimited,
              budgetSpent,
            ],
            width: 8,
          }),
          new GraphWidget({ title: 'SMS provider', left: [smsFailed, smsTimeout], width: 8 }),
        ],
        ...(props.challenge
          ? [
              [
                new GraphWidget({
                  title: 'Bot challenge (docs/challenge.md)',
                  left: [outcome('ChallengeRequired', 'no token (403)'), outcome('ChallengeFailed', 'token refused (403)'), challengeUnavailable],
                  right: [sent],
                  width: 24,
                }),
              ],
            ]
          : []),
        [
          new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
          new GraphWidget({
            title: 'API answers',
            left: [
              props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }),
              props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum', label: '5xx' }),
              api5xx,
            ],
            width: 12,
          }),
        ],
        [
          ...(wafBlocked ? [new GraphWidget({ title: 'WAF', left: [wafBlocked], width: 6 })] : []),
          new GraphWidget({ title: 'Latency (ms)', left: [...latency(props.sendCode, 'send'), ...latency(props.checkCode, 'check')], width: 12 }),
          new GraphWidget({
            title: 'Throttles',
            left: [props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'API requests' })],
            right: [
              ddbThrottles,
              props.sendCode.metricThrottles({ period: FIVE_MINUTES, label: 'send throttled' }),
              props.checkCode.metricThrottles({ period: FIVE_MINUTES, label: 'check throttled' }),
            ],
            width: 12,
          }),
        ],
      ],
    });
  }
}
