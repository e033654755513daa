import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageConfig } from '../../lib/config';
import { ApiGatewayAccountStack } from '../../lib/api-gateway-account-stack';
import { Match } from 'aws-cdk-lib/assertions';
import { PROD_MINIMUM, applicationFunctions, removeSynthOutput, synthApp, synthStage } from '../support/cdk';

const ROOT = join(__dirname, '..', '..');

/** The synthesised stage stacks, deploying: tags, a first prod deploy, stage settings (template assertions: what matters, not a snapshot). */
afterAll(removeSynthOutput);

describe.each(['dev', 'prod'])('the %s stack', (stage) => {
  const { template } = synthStage(stage, stage === 'prod' ? { corsAllowedOrigins: ['https://app.example.com'] } : {});
  const t = template();

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
});

describe('a first prod deploy', () => {
  it('refuses to synthesise without account, region and someone to alarm, naming each', () => {
    expect(() => stageConfig('prod', { corsAllowedOrigins: [] })).toThrow(
      /^prod \(production\) needs account \(the 12-digit AWS account id\), region \(e\.g\. ap-northeast-2\), alarmEmail or alarmTopicArn/,
    );
    expect(() => stageConfig('prod', { ...PROD_MINIMUM, region: undefined })).toThrow(/^prod \(production\) needs region/);
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

  it('keeps the API Gateway CloudWatch role in a stack of its own (once per account and region) that nothing takes away by accident, but a failed first create', () => {
    const account = synthApp((app) => new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount'));
    const t = account.template();
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
    t.resourceCountIs('AWS::IAM::Role', 1);
    // Every REST API of the region logs through it: a `cdk destroy` must not remove it; a create that fails leaves nothing.
    expect(account.stack.terminationProtection).toBe(true);
    t.hasResource('AWS::IAM::Role', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    t.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    // Its first create (npm run deploy's first step) can be deleted and run again.
    expect(synthApp((app) => new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount', { firstDeploy: true })).stack.terminationProtection).toBe(false);
  });

  it('puts the account stack in the stage’s account and region, not the CLI profile’s (cdk.json and -c, as for the stage)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk.out-'));
    try {
      const context = {
        setup: 'account',
        stage: 'prod',
        'phone-verify': { prod: { account: '123456789012', region: 'ap-northeast-2', alarmEmail: 'ops@example.com' } },
      };
      execFileSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'bin', 'phone-verify.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify(context),
          CDK_OUTDIR: outdir,
          CDK_DEFAULT_ACCOUNT: '999999999999',
          CDK_DEFAULT_REGION: 'us-east-1',
        },
        timeout: 60_000,
        stdio: 'pipe',
      });
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string }> };
      const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
      expect(stacks.map(([id, a]) => [id, a.environment])).toEqual([['PhoneVerify-ApiGatewayAccount', 'aws://123456789012/ap-northeast-2']]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('creates a first production deploy that rolls back cleanly: no termination or deletion protection until the second', () => {
    const first = synthStage('prod', { firstDeploy: true });
    expect(first.stack.terminationProtection).toBe(false);
    const tables = Object.values(first.template().findResources('AWS::DynamoDB::Table')) as Array<{ Properties: { DeletionProtectionEnabled: boolean } }>;
    expect(tables.map((t) => t.Properties.DeletionProtectionEnabled)).toEqual([false, false]);
    const then = synthStage('prod', {});
    expect(then.stack.terminationProtection).toBe(true);
    const protectedTables = Object.values(then.template().findResources('AWS::DynamoDB::Table')) as Array<{
      Properties: { DeletionProtectionEnabled: boolean };
    }>;
    expect(protectedTables.map((t) => t.Properties.DeletionProtectionEnabled)).toEqual([true, true]);
    // Point-in-time recovery is on from the first create: it costs nothing to roll back.
    first.template().hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });
});

describe('a WAF for an API called by a backend, not by browsers', () => {
  it('counts the address in the forwarded header and leaves out the anonymous-IP list (the backend’s host would be on it)', () => {
    const t = synthStage('prod', { waf: { clientIpHeader: 'X-Forwarded-For' } }).template();
    const acl = JSON.stringify(t.findResources('AWS::WAFv2::WebACL'));
    expect(acl).toContain('"AggregateKeyType":"FORWARDED_IP","ForwardedIPConfig":{"FallbackBehavior":"MATCH","HeaderName":"X-Forwarded-For"}');
    expect(acl).toContain('AWSManagedRulesAmazonIpReputationList');
    expect(acl).not.toContain('AWSManagedRulesAnonymousIpList');
    expect(
      JSON.stringify(
        synthStage('prod', { waf: { clientIpHeader: 'X-Forwarded-For', anonymousIpList: true } })
          .template()
          .toJSON(),
      ),
    ).toContain('AWSManagedRulesAnonymousIpList');
  });
});

describe('WAF logging (off unless asked)', () => {
  it('logs what WAF judges to aws-waf-logs-<name> with the stage’s retention, the query string redacted', () => {
    expect(JSON.stringify(synthStage('prod', {}).template().toJSON())).not.toContain('AWS::WAFv2::LoggingConfiguration');
    const t = synthStage('prod', { waf: { logging: true } }).template();
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-phone-verify-prod', RetentionInDays: 90 });
    t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: [{ QueryString: {} }] });
  });
});

describe('presets: production is a property, not a spelling', () => {
  it('refuses a stage other than dev and prod without a preset, naming the choice', () => {
    expect(() => synthStage('production')).toThrow(/stage "production" needs a preset: "production" .* or "development"/);
    expect(() => synthStage('qa', { preset: 'staging' as never })).toThrow(/preset must be "production" or "development"/);
  });

  it('gives a stage of any name the production defaults when its preset says so', () => {
    expect(() => stageConfig('production', { preset: 'production' })).toThrow(/^production \(production\) needs account/);
    const { stack, template } = synthStage('live', { ...PROD_MINIMUM, preset: 'production', corsAllowedOrigins: ['https://app.example.com'] });
    const t = template();
    expect(stack.terminationProtection).toBe(true);
    t.resourceCountIs('AWS::WAFv2::WebACL', 1);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(() => synthStage('live', { ...PROD_MINIMUM, preset: 'production', corsAllowedOrigins: ['*'] })).toThrow(/live \(production\) must list origins/);
    expect(() => synthStage('live', { ...PROD_MINIMUM, preset: 'production', alarmEmail: undefined })).toThrow(
      /live \(production\) needs alarmEmail or alarmTopicArn/,
    );
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

  it('rotates the token key by name: the next key published ahead of use, then signing, the previous one still published and still allowed to sign', () => {
    const t = synthStage('dev', { tokenKeys: { keys: ['k1', 'k2'], signWith: 'k2' } }).template();
    t.resourceCountIs('AWS::KMS::Key', 2);
    const check = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f).includes('TOKEN_KEY_ID')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(JSON.stringify(check.Properties.Environment.Variables.TOKEN_KEY_ID)).toMatch(/TokenKeysKeyk2/);
    expect(JSON.stringify(check.Properties.Environment.Variables.TOKEN_PUBLISHED_KEY_IDS)).toMatch(/TokenKeysKeyk1/);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement,
    );
    // Both keys: CloudFormation updates the policy before the code, and the code still running signs with k1.
    const sign = statements.filter((st) => [st.Action].flat().includes('kms:Sign'));
    expect(sign).toHaveLength(1);
    expect(JSON.stringify(sign[0]?.Resource)).toMatch(/TokenKeysKeyk1.*TokenKeysKeyk2/);
    // …and each key's own policy lets that function alone sign.
    for (const key of Object.values(t.findResources('AWS::KMS::Key')) as Array<{ Properties: { KeyPolicy: { Statement: Array<{ Effect: string }> } } }>)
      expect(JSON.stringify(key.Properties.KeyPolicy.Statement.filter((st) => st.Effect === 'Deny'))).toMatch(
        /"aws:PrincipalArn":\{"Fn::GetAtt":\["VerifyCheckCodeRole/,
      );
    const publish = statements.filter((st) => [st.Action].flat().includes('kms:GetPublicKey'));
    expect(JSON.stringify(publish)).toMatch(/TokenKeysKeyk1.*TokenKeysKeyk2|TokenKeysKeyk2.*TokenKeysKeyk1/);
  });

  it.each([
    [{ keys: [], signWith: 'k1' }, 'at least one key'],
    [{ keys: ['k1'], signWith: 'k2' }, 'must be one of tokenKeys.keys'],
    [{ keys: ['k1', 'k1'], signWith: 'k1' }, 'names a key twice'],
    [{ keys: ['Key One'], signWith: 'Key One' }, 'is not a key name'],
  ])('refuses token key settings %j at synth time', (tokenKeys, message) => {
    expect(() => synthStage('dev', { tokenKeys })).toThrow(message);
  });

  it('gives a development stage of any name the dev defaults under its own name', () => {
    const t = synthStage('qa', { preset: 'development' }).template();
    t.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'qa' });
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'phone-verify/qa/sens' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/phone-verify/qa/token-k1' });
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('refuses a service setting the functions would refuse, naming it, at synth time', () => {
    expect(() => synthStage('dev', { serviceSettings: { CODE_LENGTH: '3' } })).toThrow(/CODE_LENGTH/);
    // A name the functions do not read would be ignored silently: refused.
    expect(() => synthStage('dev', { serviceSettings: { CODE_LENGHT: '8' } as never })).toThrow('serviceSettings: CODE_LENGHT is not a setting of the service');
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
    const everyRoute = (t: ReturnType<ReturnType<typeof synthStage>['template']>) =>
      (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Rules: Array<{ Statement: { RateBasedStatement?: { Limit: number } } }> } })
        .Properties.Rules[1]?.Statement.RateBasedStatement?.Limit;
    expect(everyRoute(synthStage('dev', { waf: { enabled: true, requestsPer5MinPerIp: 3000 } }).template())).toBe(3000);
    expect(() => synthStage('dev', { waf: { enabled: true, sendRequestsPer5MinPerIp: 500, requestsPer5MinPerIp: 400 } })).toThrow(
      'waf.requestsPer5MinPerIp (400, every route) must be at least waf.sendRequestsPer5MinPerIp (500)',
    );
    expect(() => synthStage('dev', { waf: { enabled: true, sendRequestsPer5MinPerIp: 5 } })).toThrow(
      /waf\.sendRequestsPer5MinPerIp must be a whole number from 10/,
    );
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
