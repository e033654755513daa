import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PROBLEM_CODES } from '../../functions/domain/errors';
import { ROUTE_OUTCOMES, metricName } from '../../functions/http/api';
import { removeSynthOutput, synthStage } from '../support/cdk';

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

  it(stage === 'prod' ? 'traces with X-Ray' : 'does not pay for X-Ray', () => {
    for (const fn of applicationFunctions(t)) {
      expect((fn as { Properties: { TracingConfig?: { Mode: string } } }).Properties.TracingConfig?.Mode).toBe(stage === 'prod' ? 'Active' : undefined);
    }
    t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: stage === 'prod' });
  });

  it('gives each function time for its worst path (every DynamoDB call at its hard limit, the SMS timeout), and only the secrets each one needs', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 19, // 5 s SMS + 3 × 3.5 s DynamoDB + 3 s cold start
      Environment: { Variables: Match.objectLike({ SENS_SECRET_ARN: Match.anyValue(), CODE_HASH_SECRET_ARN: Match.anyValue(), TOKEN_SECRET_ARN: Match.absent() }) },
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

  it(stage === 'prod' ? 'protects both tables: PITR, deletion protection, RETAIN' : 'lets both tables go with the stack', () => {
    const tables = Object.values(t.findResources('AWS::DynamoDB::Table')) as Array<{ DeletionPolicy?: string; Properties: Record<string, unknown> }>;
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      if (stage === 'prod') {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.Properties).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
      } else {
        expect(table.DeletionPolicy).toBe('Delete');
        expect(table.Properties.DeletionProtectionEnabled).toBe(false);
        expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
      }
    }
  });

  it('throttles the stage and never logs request bodies', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: stage,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue(), DataTraceEnabled: false })],
      AccessLogSetting: Match.objectLike({ Format: Match.not(Match.stringLikeRegexp('requestBody|\\$input')) }),
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"DataTraceEnabled":\s*true/);
  });

  it('routes both paths, and every other path and method to a function (404/405 as problem+json)', () => {
    const paths = Object.values(t.findResources('AWS::ApiGateway::Resource')).map((r) => (r as { Properties: { PathPart: string } }).Properties.PathPart);
    expect(paths.sort()).toEqual(['check', 'v1', 'verifications', '{proxy+}'].sort());
    const anyMethods = Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'ANY' } }));
    expect(anyMethods).toHaveLength(5); // root, v1, verifications, check, {proxy+}
    for (const m of anyMethods) expect(m).toMatchObject({ Properties: { Integration: { Type: 'AWS_PROXY' } } });
  });

  it('lets each function do only the DynamoDB actions it uses, on its tables only; only the send function counts', () => {
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')) as Array<[string, { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }]>;
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const dynamoOf = (fn: string) =>
      policies
        .filter(([id]) => id.startsWith(fn))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ actions: [s.Action].flat().sort(), table: JSON.stringify(s.Resource).match(/"(VerificationsTable|LimitsTable)/)?.[1] }));
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
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `phone-verify/${stage}/token-secret`, GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `phone-verify/${stage}/code-hash-secret`, GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `phone-verify/${stage}/sens`, GenerateSecretString: Match.objectLike({ GenerateStringKey: 'secretKey' }) });
    expect(JSON.stringify(t.findResources('AWS::SecretsManager::Secret'))).not.toMatch(/"SecretString":/); // a literal value would be here
  });

  it(stage === 'prod' ? 'has a WAF rate rule per IP on the send route' : 'has no WAF', () => {
    if (stage === 'prod') {
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: [Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP', Limit: 100 }) } })],
      });
      t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    } else {
      t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    }
  });

  it('alarms on 5xx, function errors and throttles, SMS failures, DynamoDB throttles, a spent SMS budget and a walked range, and has a dashboard', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { AlarmDescription: string } }).Properties.AlarmDescription);
    expect(alarms).toHaveLength(9);
    for (const words of ['5xx', 'SendCode function errors', 'CheckCode function throttled', 'SMS provider', 'DynamoDB throttled', 'hourly SMS budget is spent', 'walking a range']) {
      expect(alarms.some((d) => d.includes(words))).toBe(true);
    }
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('charts and alarms only on metrics the functions really emit', () => {
    const emitted = new Set<string>([...ROUTE_OUTCOMES, ...PROBLEM_CODES.map(metricName)]);
    const dashboard = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    const charted = [...dashboard.matchAll(/\\"PhoneVerify\\",\\"([A-Za-z]+)\\"/g)].map((m) => m[1]);
    expect(charted.length).toBeGreaterThanOrEqual(10);
    expect(charted.filter((name) => !emitted.has(name ?? ''))).toEqual([]);
    const alarmed = Object.values(t.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => JSON.stringify(a).match(/"MetricName":"[A-Za-z]+","Namespace":"PhoneVerify"/g) ?? []);
    expect(alarmed.map((m) => m.split('"')[3]).sort()).toEqual(['NumberRangeLimited', 'SmsBudgetExhausted', 'SmsDeliveryFailed', 'SmsProviderTimeout']);
  });

  it('has no custom domain unless configured', () => {
    t.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('answers the gateway’s own errors as problem+json', () => {
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '503',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Content-Type': "'application/problem+json'", 'gatewayresponse.header.Retry-After': "'1'" }),
    });
  });

  it('outputs the API URL, table, secret names and dashboard URL', () => {
    for (const name of ['ApiUrl', 'TableName', 'TokenSecretName', 'SensSecretName', 'DashboardUrl']) t.hasOutput(name, {});
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
    expect(applicationFunctions(t).map((f) => (f as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables.CODE_LENGTH)).toEqual(['8', '8']);
  });

  it('subscribes the alarm e-mail when one is configured', () => {
    synthStage('dev', { alarmEmail: 'ops@example.com' }).template().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('sets reserved concurrency when configured', () => {
    const t = synthStage('dev', { reservedConcurrency: 7 }).template();
    expect(applicationFunctions(t).map((f) => (f as { Properties: { ReservedConcurrentExecutions?: number } }).Properties.ReservedConcurrentExecutions)).toEqual([7, 7]);
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
      customDomain: { domainName: 'verify.example.com', certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc', hostedZoneId: 'Z123', hostedZoneName: 'example.com' },
    }).template();
    t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'verify.example.com', SecurityPolicy: 'TLS_1_2' });
    t.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'verify.example.com.', Type: 'A' });
  });
});
