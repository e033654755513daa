import { Match } from 'aws-cdk-lib/assertions';
import { SEND_DYNAMODB_ALLOWANCE_MS } from '../../functions/adapters/dynamodb-timeouts';
import { METRIC_NAMESPACE, serviceName } from '../../functions/adapters/telemetry-names';
import { worstSendMs } from '../../functions/domain/send-time';
import { API_GATEWAY_TIMEOUT_MS, sendFunctionTimeout } from '../../lib/phone-verification';
import { applicationFunctions, removeSynthOutput, synthStage } from '../support/cdk';

/** The synthesised stage stacks, the functions: runtime, time limits, concurrency, what each may read (template assertions: what matters, not a snapshot). */
afterAll(removeSynthOutput);

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('has exactly three application functions (send, check, events) on Node.js 24, arm64, with the house defaults (and no NODE_OPTIONS to pay at each cold start)', () => {
    const fns = applicationFunctions(t);
    expect(fns).toHaveLength(3);
    for (const fn of fns)
      expect((fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    for (const fn of fns) {
      expect(fn).toMatchObject({
        Properties: {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Environment: { Variables: expect.objectContaining({ STAGE: stage }) },
        },
      });
    }
  });

  it('does not pay for X-Ray or per-method API metrics nobody reads, and keeps no execution log without a retention', () => {
    for (const fn of applicationFunctions(t)) {
      expect((fn as { Properties: { TracingConfig?: { Mode: string } } }).Properties.TracingConfig?.Mode).toBeUndefined();
    }
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: false,
      MethodSettings: [Match.objectLike({ MetricsEnabled: false, LoggingLevel: 'OFF', DataTraceEnabled: false })],
    });
  });

  it('reserves no concurrency unless asked (a new account quota could not hold it)', () => {
    for (const fn of applicationFunctions(t))
      expect((fn as { Properties: { ReservedConcurrentExecutions?: number } }).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('gives each function time for its worst path (every DynamoDB call at its hard limit, the SMS timeout), and only the secrets each one needs', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 12, // the worst send, 5 s SMS + 3.5 s for all its DynamoDB calls, + 3 s cold start
      Environment: {
        Variables: Match.objectLike({ SENS_SECRET_ARN: Match.anyValue(), CODE_HASH_SECRET_ARN: Match.anyValue(), TOKEN_KEY_ID: Match.absent() }),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 18, // the decision's one attempt (1 s) and its read-back, the streak's reset, KMS GetPublicKey and Sign (3.5 s each), + 3 s cold start
      Environment: { Variables: Match.objectLike({ TOKEN_KEY_ID: Match.anyValue(), TOKEN_PUBLISHED_KEY_IDS: '', SENS_SECRET_ARN: Match.absent() }) },
    });
  });

  it('names the functions’ logs and metrics from the one module the alarms read (no second namespace setting)', () => {
    for (const fn of applicationFunctions(t)) {
      const variables = (fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables;
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(serviceName(stage));
      expect(Object.keys(variables).filter((name) => name.startsWith('POWERTOOLS_METRICS'))).toEqual([]);
    }
    const alarmed = Object.values(t.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => JSON.stringify(a).match(/"Namespace":"[A-Za-z/]+"/g) ?? []);
    expect(new Set(alarmed)).toContain(`"Namespace":"${METRIC_NAMESPACE}"`);
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).toContain(`{"Name":"service","Value":"${serviceName(stage)}"}`);
  });
});

describe('the worst send and API Gateway’s 29 s', () => {
  it('at the largest SMS_TIMEOUT_MS (20 s) and every provider listed, the send function’s worst (with a cold start) ends before API Gateway answers 504 itself', () => {
    const t = synthStage('dev', { smsProviders: ['sens', 'aws'], serviceSettings: { SMS_TIMEOUT_MS: '20000' } }).template();
    const send = applicationFunctions(t).find(
      (fn) => (fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables.SMS_TIMEOUT_MS === '20000',
    );
    const timeout = (send as { Properties: { Timeout: number } } | undefined)?.Properties.Timeout ?? Infinity;
    expect(timeout * 1000).toBeLessThan(API_GATEWAY_TIMEOUT_MS);
    // The same figure the idempotency lease is made of, with a cold start: 20 s + 3.5 s + 3 s.
    expect(timeout).toBe(Math.ceil((worstSendMs({ smsTimeoutMs: 20_000, storeAllowanceMs: SEND_DYNAMODB_ALLOWANCE_MS }) + 3_000) / 1000));
  });

  it('refuses to build a send function whose worst would outlast API Gateway (a figure changed without the other)', () => {
    expect(() => sendFunctionTimeout(26_000)).toThrow(/would outlast API Gateway/);
  });
});
