import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, SingleValueWidget, TextWidget, TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  readonly stage: string;
  readonly api: RestApi;
  readonly sendCode: IFunction;
  readonly checkCode: IFunction;
  readonly table: Table;
  readonly alarmEmail?: string | undefined;
  /** SMS_BUDGET_PER_HOUR of this stage (0: off), shown on the dashboard. */
  readonly smsBudgetPerHour: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on what needs a human (5xx, Lambda errors and throttles, SMS failures, DynamoDB
 * throttles) to an SNS topic, and the dashboard an operator opens first.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: `phone-verify ${props.stage} alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // Counts the functions publish as EMF (functions/adapters/observability.ts).
    const service = `phone-verify-${props.stage}`;
    const outcome = (name: string, label = name) =>
      new Metric({ namespace: 'PhoneVerify', metricName: name, dimensionsMap: { service }, statistic: 'Sum', period: FIVE_MINUTES, label });
    const sent = outcome('CodeSent', 'codes sent');
    const approved = outcome('CodeApproved', 'approvals');
    const smsFailed = outcome('SmsDeliveryFailed', 'SMS refused (502)');
    const smsTimeout = outcome('SmsProviderTimeout', 'SMS timeouts (504)');
    const smsProblems = new MathExpression({ expression: 'FILL(failed, 0) + FILL(timeouts, 0)', usingMetrics: { failed: smsFailed, timeouts: smsTimeout }, period: FIVE_MINUTES, label: 'SMS failures' });
    const ddbThrottles = new MathExpression({
      expression: 'FILL(u, 0) + FILL(p, 0) + FILL(d, 0)',
      usingMetrics: Object.fromEntries(
        (['UpdateItem', 'PutItem', 'DeleteItem'] as const).map((op, i) => [['u', 'p', 'd'][i], props.table.metric('ThrottledRequests', { dimensionsMap: { TableName: props.table.tableName, Operation: op }, statistic: 'Sum', period: FIVE_MINUTES })]),
      ),
      period: FIVE_MINUTES,
      label: 'DynamoDB throttled requests',
    });

    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `phone-verify ${props.stage}: ${description}`,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(a);
    };
    alarm('Api5xx', props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), 5, 'API answered 5xx 5+ times in 5 minutes');
    for (const [name, fn] of [['SendCode', props.sendCode], ['CheckCode', props.checkCode]] as const) {
      alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} function errors (crashes, timeouts)`);
      alarm(`${name}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} function throttled (reserved concurrency reached)`);
    }
    alarm('SmsFailures', smsProblems, 5, 'SMS provider refused or timed out 5+ times in 5 minutes');
    alarm('DynamoDbThrottles', ddbThrottles, 1, 'DynamoDB throttled requests');
    const budgetSpent = outcome('SmsBudgetExhausted', 'refused: hourly SMS budget spent');
    const rangeLimited = outcome('NumberRangeLimited', 'refused: number range limit');
    alarm('SmsBudgetExhausted', budgetSpent, 1, 'the hourly SMS budget is spent: sends are refused until the hour ends (SMS pumping or a real surge; raise SMS_BUDGET_PER_HOUR only if it is real)');
    alarm('NumberRangeLimited', rangeLimited, 10, 'sends to one number range refused 10+ times in 5 minutes: someone is walking a range (SMS pumping)');

    const conversion = new MathExpression({ expression: 'IF(sent > 0, 100 * approved / sent, 0)', usingMetrics: { sent, approved }, period: FIVE_MINUTES, label: 'conversion % (approved ÷ sent)' });
    const latency = (fn: IFunction, label: string) =>
      ['p50', 'p99'].map((statistic) => fn.metricDuration({ statistic, period: FIVE_MINUTES, label: `${label} ${statistic}` }));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `phone-verify-${props.stage}`,
      widgets: [
        [new TextWidget({ markdown: `# phone-verify ${props.stage}\nCodes sent, approvals and what went wrong, in 5-minute sums.`, width: 24, height: 2 })],
        [
          new SingleValueWidget({
            title: `Last hour (SMS budget ${props.smsBudgetPerHour > 0 ? `${props.smsBudgetPerHour}/h` : 'off'})`,
            metrics: [sent.with({ period: Duration.hours(1), label: 'codes sent this hour' }), approved.with({ period: Duration.hours(1) }), budgetSpent.with({ period: Duration.hours(1) })],
            width: 8,
          }),
          new GraphWidget({ title: 'Codes sent and approved', left: [sent, approved], right: [conversion], width: 16 }),
        ],
        [
          new GraphWidget({ title: 'Refused checks', left: [outcome('IncorrectCode', 'incorrect codes'), outcome('TooManyAttempts', 'too many attempts'), outcome('VerificationNotFound', 'not found')], width: 8 }),
          new GraphWidget({ title: 'Refused sends', left: [outcome('ResendTooSoon', 'resend too soon'), outcome('SendLimitReached', 'daily cap'), outcome('UnsupportedCountry', 'unsupported country'), rangeLimited, budgetSpent], width: 8 }),
          new GraphWidget({ title: 'SMS provider', left: [smsFailed, smsTimeout], width: 8 }),
        ],
        [
          new GraphWidget({ title: 'Latency (ms)', left: [...latency(props.sendCode, 'send'), ...latency(props.checkCode, 'check')], width: 12 }),
          new GraphWidget({
            title: 'Throttles',
            left: [props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'API requests' })],
            right: [ddbThrottles, props.sendCode.metricThrottles({ period: FIVE_MINUTES, label: 'send throttled' }), props.checkCode.metricThrottles({ period: FIVE_MINUTES, label: 'check throttled' })],
            width: 12,
          }),
        ],
      ],
    });
  }
}
