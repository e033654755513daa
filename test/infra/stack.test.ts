import { Match } from 'aws-cdk-lib/assertions';
import { PROBLEM_CODES } from '../../functions/http/problem-codes';
import { ALARM_METRICS } from '../../bench/cost';
import { ROUTE_OUTCOMES, metricName } from '../../functions/http/api';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stageConfig } from '../../lib/config';
import { ApiGatewayAccountStack } from '../../lib/api-gateway-account-stack';
import { PROD_MINIMUM, removeSynthOutput, synthStage } from '../support/cdk';

afterAll(removeSynthOutput);

const applicationFunctions = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => (f as { Properties: { Handler?: string } }).Properties.Handler === 'index.handler');

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

  it('has exactly two application functions on Node.js 24, arm64, with the house defaults', () => {
    const fns = applicationFunctions(t);
    expect(fns).toHaveLength(2);
    for (const fn of fns) {
      expect(fn).toMatchObject({
        Properties: {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', STAGE: stage }) },
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

  it('logs the path as sent, the WAF verdict and the user agent in the access log, never a body', () => {
    const stages = Object.values(t.findResources('AWS::ApiGateway::Stage')) as Array<{ Properties: { AccessLogSetting: { Format: string } } }>;
    const format = stages[0]?.Properties.AccessLogSetting.Format ?? '';
    for (const field of ['$context.path', '$context.wafResponseCode', '$context.identity.userAgent', '$context.requestId', '$context.status'])
      expect(format).toContain(field);
    expect(format).not.toMatch(/requestBody|\$input/);
  });

  it('leaves the account-wide API Gateway logging role to its own stack', () => {
    t.resourceCountIs('AWS::ApiGateway::Account', 0);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', Match.objectLike({ Name: `phone-verify-${stage}` }));
    expect(JSON.stringify(t.toJSON())).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it('tags every taggable resource with Project and Stage', () => {
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::Lambda::Function',
      'AWS::SecretsManager::Secret',
      'AWS::ApiGateway::RestApi',
      'AWS::CloudWatch::Alarm',
      'AWS::SNS::Topic',
    ]) {
      for (const resource of Object.values(t.findResources(type)) as Array<{ Properties: { Tags?: Array<{ Key: string; Value: string }> } }>) {
        expect({ type, tags: resource.Properties.Tags }).toEqual({
          type,
          tags: expect.arrayContaining([
            { Key: 'Project', Value: 'phone-verify' },
            { Key: 'Stage', Value: stage },
          ]),
        });
      }
    }
  });

  it('reserves no concurrency unless asked (a new account quota could not hold it)', () => {
    for (const fn of applicationFunctions(t))
      expect((fn as { Properties: { ReservedConcurrentExecutions?: number } }).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('gives each function time for its worst path (every DynamoDB call at its hard limit, the SMS timeout), and only the secrets each one needs', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 19, // 5 s SMS + 3 × 3.5 s DynamoDB + 3 s cold start
      Environment: {
        Variables: Match.objectLike({ SENS_SECRET_ARN: Match.anyValue(), CODE_HASH_SECRET_ARN: Match.anyValue(), TOKEN_SECRET_ARN: Match.absent() }),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10, // 2 × 3.5 s DynamoDB + 3 s cold start
      Environment: { Variables: Match.objectLike({ TOKEN_SECRET_ARN: Match.anyValue(), SENS_SECRET_ARN: Match.absent() }) },
    });
  });

  it('keys the verifications on the E.164 phone number and the abuse counters on their bucket, each with TTL, on demand, encrypted', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', 2);
    for (const key of ['phoneNumber', 'bucket']) {
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it(
    stage === 'prod' ? 'protects both tables: PITR, deletion protection, kept except after a failed first create' : 'lets both tables go with the stack',
    () => {
      const tables = Object.values(t.findResources('AWS::DynamoDB::Table')) as Array<{
        DeletionPolicy?: string;
        UpdateReplacePolicy?: string;
        Properties: Record<string, unknown>;
      }>;
      expect(tables).toHaveLength(2);
      for (const table of tables) {
        if (stage === 'prod') {
          // RetainExceptOnCreate: a rolled-back first deploy leaves no named table behind to block the retry.
          expect({ deletion: table.DeletionPolicy, replace: table.UpdateReplacePolicy }).toEqual({ deletion: 'RetainExceptOnCreate', replace: 'Retain' });
          expect(table.Properties).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
        } else {
          expect(table.DeletionPolicy).toBe('Delete');
          expect(table.Properties.DeletionProtectionEnabled).toBe(false);
          expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
        }
      }
    },
  );

  it('throttles the stage and never logs request bodies', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: stage,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue(), DataTraceEnabled: false })],
      AccessLogSetting: Match.objectLike({ Format: Match.not(Match.stringLikeRegexp('requestBody|\\$input')) }),
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"DataTraceEnabled":\s*true/);
  });

  it('routes every method of the two paths to their functions (405 as problem+json); no other path invokes anything', () => {
    const paths = Object.values(t.findResources('AWS::ApiGateway::Resource')).map((r) => (r as { Properties: { PathPart: string } }).Properties.PathPart);
    expect(paths.sort()).toEqual(['check', 'v1', 'verifications']);
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as Array<{
      Properties: { HttpMethod: string; ResourceId: unknown; Integration?: { Type: string } };
    }>;
    const invoking = methods.filter((m) => m.Properties.Integration?.Type === 'AWS_PROXY');
    expect(invoking.map((m) => m.Properties.HttpMethod)).toEqual(['ANY', 'ANY']);
    expect(invoking.map((m) => JSON.stringify(m.Properties.ResourceId))).toEqual([expect.stringContaining('verifications'), expect.stringContaining('check')]);
    // Unknown paths (/, /v1, /anything): API Gateway's own 404 problem.
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"not_found".*\\$context.requestId|\\$context.requestId.*"code":"not_found"') },
    });
  });

  it('lets each function do only the DynamoDB actions it uses, on its tables only; only the send function counts', () => {
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')) as Array<
      [string, { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }]
    >;
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const dynamoOf = (fn: string) =>
      policies
        .filter(([id]) => id.startsWith(`Verify${fn}`))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ actions: [s.Action].flat().sort(), table: JSON.stringify(s.Resource).match(/"Verify(VerificationsTable|LimitsTable)/)?.[1] }));
    expect(dynamoOf('SendCode')).toEqual([
      { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], table: 'VerificationsTable' },
      { actions: ['dynamodb:UpdateItem'], table: 'LimitsTable' },
    ]);
    expect(dynamoOf('CheckCode')).toEqual([{ actions: ['dynamodb:UpdateItem'], table: 'VerificationsTable' }]);
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))).toHaveLength(3);
    const secretReads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(2);
    for (const s of secretReads) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.endsWith('*'))).toEqual([]);
  });

  it('generates the token and code-hash secrets (no value in the template) and a SENS placeholder', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 3);
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `phone-verify/${stage}/token-secret`,
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `phone-verify/${stage}/code-hash-secret`,
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `phone-verify/${stage}/sens`,
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'secretKey' }),
    });
    expect(JSON.stringify(t.findResources('AWS::SecretsManager::Secret'))).not.toMatch(/"SecretString":/); // a literal value would be here
  });

  it(stage === 'prod' ? 'has a WAF: a per-IP rate rule that sees every spelling of the send route, and the AWS IP lists' : 'has no WAF unless asked', () => {
    if (stage === 'prod') {
      const transformations = [
        { Priority: 0, Type: 'URL_DECODE' },
        { Priority: 1, Type: 'NORMALIZE_PATH' },
        { Priority: 2, Type: 'LOWERCASE' },
      ];
      const endsWith = (SearchString: string) => ({
        ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'ENDS_WITH', SearchString, TextTransformations: transformations },
      });
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: [
          Match.objectLike({
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: {
                AggregateKeyType: 'IP',
                Limit: 100,
                ScopeDownStatement: { OrStatement: { Statements: [endsWith('/v1/verifications'), endsWith('/v1/verifications/')] } },
              },
            },
          }),
          Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } } }),
          Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAnonymousIpList' } } }),
        ],
      });
      t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    } else {
      t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    }
  });

  it('alarms on faults and on attacks (budget, range, volume anomaly, conversion, refused numbers, WAF), never on missing data, and has a dashboard', () => {
    const alarmResources = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { AlarmDescription: string; TreatMissingData: string };
    }>;
    const alarms = alarmResources.map((a) => a.Properties.AlarmDescription);
    expect(alarms).toHaveLength(stage === 'prod' ? 13 : 12);
    for (const a of alarmResources) expect(a.Properties.TreatMissingData).toBe('notBreaching');
    const attacks = [
      'hourly SMS budget is spent',
      'walking a range',
      'far above the usual band',
      'codes approved in an hour',
      'probing number ranges',
      ...(stage === 'prod' ? ['WAF blocked'] : []),
    ];
    for (const words of ['5xx', 'SendCode function errors', 'CheckCode function throttled', 'SMS provider', 'DynamoDB throttled', ...attacks]) {
      expect(alarms.some((d) => d.includes(words))).toBe(true);
    }
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    // Prod cannot synthesise without someone to tell (PROD_MINIMUM subscribes ops@example.com).
    t.resourceCountIs('AWS::SNS::Subscription', stage === 'prod' ? 1 : 0);
  });

  it('has as many billed alarm metrics as the cost model assumes (anomaly detection counts 3, a math alarm each metric it reads)', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { Metrics?: Array<{ MetricStat?: unknown }>; ThresholdMetricId?: string };
    }>;
    const billed = alarms.map((a) => (a.Properties.ThresholdMetricId ? 3 : a.Properties.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1));
    expect(billed.reduce((sum, n) => sum + n, 0)).toBe(ALARM_METRICS[stage as 'dev' | 'prod']);
  });

  it('charts and alarms only on metrics the functions really emit', () => {
    const emitted = new Set<string>([...ROUTE_OUTCOMES, ...PROBLEM_CODES.map(metricName)]);
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
      'NumberRangeLimited',
      'SmsBudgetExhausted',
      'SmsDeliveryFailed',
      'SmsProviderTimeout',
      'UnsupportedCountry',
    ]);
  });

  it('has no custom domain unless configured', () => {
    t.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('answers the gateway’s own throttle and WAF blocks with 429 problem+json and Retry-After (not a 5xx)', () => {
    for (const [type, retryAfter] of [
      ['THROTTLED', '1'],
      ['WAF_FILTERED', '60'],
    ] as const) {
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '429',
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          'gatewayresponse.header.Retry-After': `'${retryAfter}'`,
        }),
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"too_many_requests"') },
      });
    }
  });

  it('outputs the API URL, table, secret names and dashboard URL', () => {
    for (const name of ['ApiUrl', 'TableName', 'TokenSecretName', 'SensSecretName', 'DashboardUrl']) t.hasOutput(name, {});
  });
});

describe('a first prod deploy', () => {
  it('refuses to synthesise without account, region and someone to alarm, naming each', () => {
    expect(() => stageConfig('prod', { corsAllowedOrigins: [] })).toThrow(
      /^prod needs account \(the 12-digit AWS account id\), region \(e\.g\. ap-northeast-2\), alarmEmail or alarmTopicArn/,
    );
    expect(() => stageConfig('prod', { ...PROD_MINIMUM, region: undefined })).toThrow(/^prod needs region/);
    expect(() => stageConfig('prod', { ...PROD_MINIMUM, account: '1234' })).toThrow(/account must be a 12-digit/);
  });

  it('synthesises with just the minimum: pinned account and region, termination protection, nothing an empty account lacks', () => {
    const { stack, template } = synthStage('prod', {});
    expect({ account: stack.account, region: stack.region, terminationProtection: stack.terminationProtection }).toEqual({
      account: '123456789012',
      region: 'ap-northeast-2',
      terminationProtection: true,
    });
    const t = template();
    // Nothing that needs a raised quota or an account-wide setting, nothing retained by a failed create.
    for (const fn of applicationFunctions(t)) expect((fn as { Properties: Record<string, unknown> }).Properties.ReservedConcurrentExecutions).toBeUndefined();
    t.resourceCountIs('AWS::ApiGateway::Account', 0);
    const policies = Object.values(t.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).map((r) => r.DeletionPolicy);
    expect(policies).not.toContain('Retain');
  });

  it('alarms an existing SNS topic instead of an e-mail when given one', () => {
    const t = synthStage('prod', { alarmEmail: undefined, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:123456789012:oncall' }).template();
    t.resourceCountIs('AWS::SNS::Topic', 0);
    const actions = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { AlarmActions: unknown[] } }).Properties.AlarmActions,
    );
    for (const a of actions) expect(a).toEqual(['arn:aws:sns:ap-northeast-2:123456789012:oncall']);
  });

  it('keeps the API Gateway CloudWatch role in a stack of its own (once per account and region)', () => {
    const app = new App();
    const t = Template.fromStack(new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount'));
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
    t.resourceCountIs('AWS::IAM::Role', 1);
  });
});

describe('stage settings', () => {
  it('echoes only the listed origins in prod preflights', () => {
    const t = synthStage('prod', { corsAllowedOrigins: ['https://app.example.com'] }).template();
    expect(JSON.stringify(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))).toContain('https://app.example.com');
    expect(JSON.stringify(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))).not.toContain("'*'");
  });

  it('refuses * CORS in prod', () => {
    expect(() => synthStage('prod', { corsAllowedOrigins: ['*'] })).toThrow(/corsAllowedOrigins/);
  });

  it('gives an unknown stage the dev defaults under its own name', () => {
    const t = synthStage('qa').template();
    t.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'qa' });
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'phone-verify/qa/token-secret' });
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('refuses a service setting the functions would refuse, naming it, at synth time', () => {
    expect(() => synthStage('dev', { serviceSettings: { CODE_LENGTH: '3' } })).toThrow(/CODE_LENGTH/);
  });

  it('passes service settings to both functions', () => {
    const t = synthStage('dev', { serviceSettings: { CODE_LENGTH: '8', ALLOWED_COUNTRIES: 'KR,JP' } }).template();
    expect(
      applicationFunctions(t).map(
        (f) => (f as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables.CODE_LENGTH,
      ),
    ).toEqual(['8', '8']);
  });

  it('subscribes the alarm e-mail when one is configured', () => {
    synthStage('dev', { alarmEmail: 'ops@example.com' })
      .template()
      .hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('turns the WAF on in any stage that asks, keeping the default rate unless given', () => {
    const rateOf = (t: ReturnType<ReturnType<typeof synthStage>['template']>) =>
      (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Rules: Array<{ Statement: { RateBasedStatement?: { Limit: number } } }> } })
        .Properties.Rules[0]?.Statement.RateBasedStatement?.Limit;
    expect(rateOf(synthStage('dev', { waf: { enabled: true, sendRequestsPer5MinPerIp: 50 } }).template())).toBe(50);
    expect(rateOf(synthStage('dev', { waf: { enabled: true } }).template())).toBe(100);
  });

  it('turns the WAF off in prod with `waf: { enabled: false }` alone', () => {
    synthStage('prod', { waf: { enabled: false } })
      .template()
      .resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('turns X-Ray and per-method API metrics on only when asked', () => {
    const t = synthStage('dev', { tracing: true, apiDetailedMetrics: true }).template();
    t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true, MethodSettings: [Match.objectLike({ MetricsEnabled: true })] });
    for (const fn of applicationFunctions(t))
      expect((fn as { Properties: { TracingConfig?: { Mode: string } } }).Properties.TracingConfig?.Mode).toBe('Active');
  });

  it('sets reserved concurrency when configured', () => {
    const t = synthStage('dev', { reservedConcurrency: 7 }).template();
    expect(
      applicationFunctions(t).map((f) => (f as { Properties: { ReservedConcurrentExecutions?: number } }).Properties.ReservedConcurrentExecutions),
    ).toEqual([7, 7]);
  });

  it('serves the demo page at GET / only when an operator opts in', () => {
    const mockGets = (t: ReturnType<ReturnType<typeof synthStage>['template']>) =>
      Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET', Integration: { Type: 'MOCK' } } }));
    expect(mockGets(synthStage('dev').template())).toHaveLength(0);
    const withDemo = mockGets(synthStage('dev', { demoPage: true }).template());
    expect(withDemo).toHaveLength(1);
    expect(JSON.stringify(withDemo[0])).toContain('autocomplete=\\"one-time-code\\"');
  });

  it('adds the custom domain, base path mapping and alias record when configured', () => {
    const t = synthStage('dev', {
      customDomain: {
        domainName: 'verify.example.com',
        certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc',
        hostedZoneId: 'Z123',
        hostedZoneName: 'example.com',
      },
    }).template();
    t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'verify.example.com', SecurityPolicy: 'TLS_1_2' });
    t.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'verify.example.com.', Type: 'A' });
  });
});
