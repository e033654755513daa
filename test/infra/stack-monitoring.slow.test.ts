import { PROBLEM_CODES } from '../../functions/http/problem-codes';
import { ALARM_METRICS } from '../../bench/cost';
import { SMS_ATTEMPT_METRIC, SMS_FAILOVER_METRIC } from '../../functions/adapters/telemetry-names';
import { LOCK_METRIC, ROUTE_OUTCOMES, metricName } from '../../functions/http/api';
import { PROD_MINIMUM, billedAlarmMetrics, removeSynthOutput, synthStage } from '../support/cdk';

/** The synthesised stage stacks, the monitoring: alarms, their cost, the dashboard (template assertions: what matters, not a snapshot). */
afterAll(removeSynthOutput);

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('alarms on faults and on attacks (budget, range, volume anomaly, conversion, refused numbers, WAF), never on missing data, and has a dashboard', () => {
    const alarmResources = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { AlarmDescription: string; TreatMissingData: string };
    }>;
    // How many there are is the docs' figure, checked against the templates in documented-setups.slow.test.ts.
    const alarms = alarmResources.map((a) => a.Properties.AlarmDescription);
    for (const a of alarmResources) expect(a.Properties.TreatMissingData).toBe('notBreaching');
    const attacks = [
      'hourly SMS budget is spent',
      'walking a range',
      'far above the usual band',
      'codes approved in an hour',
      'probing number ranges',
      'numbers locked by their failed-guess streak',
      ...(stage === 'prod' ? ['WAF blocked'] : []),
    ];
    for (const words of [
      '5xx',
      'SendCode function errors',
      'CheckCode function throttled',
      'SMS provider',
      'DynamoDB throttled',
      'send p99',
      'check p99',
      'events dead-letter queue',
      'Events function errors',
      "behind the table's changes",
      ...attacks,
    ]) {
      expect(alarms.some((d) => d.includes(words))).toBe(true);
    }
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    // Prod cannot synthesise without someone to tell (PROD_MINIMUM subscribes ops@example.com).
    t.resourceCountIs('AWS::SNS::Subscription', stage === 'prod' ? 1 : 0);
  });

  it('wakes someone only for what persists, and says when it is over', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: {
        AlarmDescription: string;
        AlarmActions: unknown[];
        OKActions?: unknown[];
        EvaluationPeriods: number;
        DatapointsToAlarm?: number;
        Metrics?: Array<{ Expression?: string }>;
      };
    }>;
    for (const a of alarms) expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
    const find = (words: string) => alarms.find((a) => a.Properties.AlarmDescription.includes(words))!.Properties;
    // One Lambda timeout or throttle does not page: it must be there in 2 of 3 periods.
    for (const words of ['SendCode function errors', 'CheckCode function throttled', 'DynamoDB throttled']) {
      expect({ words, periods: find(words).EvaluationPeriods, datapoints: find(words).DatapointsToAlarm }).toEqual({ words, periods: 3, datapoints: 2 });
    }
    expect({ periods: find('send p99').EvaluationPeriods, datapoints: find('send p99').DatapointsToAlarm }).toEqual({ periods: 3, datapoints: 3 });
    // An SMS outage pages once (SmsFailures): the 5xx alarm takes the provider's 502/504 out.
    expect(JSON.stringify(find('API answered 5xx').Metrics)).toContain('FILL(api, 0) - FILL(failed, 0) - FILL(timeouts, 0)');
    const dashboard = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('\\"type\\":\\"alarm\\"');
    expect(dashboard).toContain('4XXError');
  });

  it('has as many billed alarm metrics as the cost model assumes (anomaly detection counts 3, a math alarm each metric it reads)', () => {
    expect(billedAlarmMetrics(t)).toBe(ALARM_METRICS[stage as 'dev' | 'prod']);
  });

  it('charts and alarms only on metrics the functions really emit', () => {
    const emitted = new Set<string>([...ROUTE_OUTCOMES, ...PROBLEM_CODES.map(metricName), LOCK_METRIC, SMS_ATTEMPT_METRIC, SMS_FAILOVER_METRIC]);
    const dashboard = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    const charted = [...dashboard.matchAll(/\\"PhoneVerify\\",\\"([A-Za-z]+)\\"/g)].map((m) => m[1]);
    expect(charted.length).toBeGreaterThanOrEqual(10);
    expect(charted.filter((name) => !emitted.has(name ?? ''))).toEqual([]);
    const alarmed = Object.values(t.findResources('AWS::CloudWatch::Alarm')).flatMap(
      (a) => JSON.stringify(a).match(/"MetricName":"[A-Za-z]+","Namespace":"PhoneVerify"/g) ?? [],
    );
    expect([...new Set(alarmed.map((m) => m.split('"')[3]))].sort()).toEqual([
      'CodeApproved',
      'CodeSent',
      'InvalidPhoneNumber',
      'NumberLocked',
      'NumberRangeLimited',
      'SmsBudgetExhausted',
      'SmsDeliveryFailed',
      'SmsProviderTimeout',
      'UnsupportedCountry',
    ]);
  });
});
