import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiGatewayAccountStack } from '../../lib/api-gateway-account-stack';
import { readAssembly } from '../../scripts/deploy-plan';
import { DOCUMENTED_CHALLENGE_ENTRY, DOCUMENTED_PROD_ENTRY, SETUPS } from '../support/documented-setups';
import { PRODUCTION_SMS_BUDGET_PER_HOUR } from '../../lib/config';
import { WAF_RULES } from '../../bench/cost';
import { billedAlarmMetrics, removeSynthOutput, synthApp, synthStage, type Synthesised } from '../support/cdk';

/**
 * Every setup the docs give an operator (test/support/documented-setups.ts), synthesised once
 * each as `cdk synth` would, with cdk-nag's AwsSolutions checks added before the synthesis: none
 * may have a finding nobody acknowledged. Each template is made once and read by every assertion
 * below that needs it.
 */
afterAll(removeSynthOutput);

const ROOT = join(__dirname, '..', '..');
const synthesised = new Map<string, Synthesised>();
/** The setup's synthesis, made once (each costs seconds). */
const synth = (label: string): Synthesised => {
  const setup = SETUPS.find(([l]) => l === label)!;
  if (!synthesised.has(label)) synthesised.set(label, synthStage(setup[1], setup[2], { allowFindings: true }));
  return synthesised.get(label)!;
};

describe('every documented setup', () => {
  it.each(SETUPS.map(([label]) => label))('%s: synthesises with cdk-nag AwsSolutions clean', (label) => {
    expect(synth(label).violations()).toEqual([]);
  });

  it('reads the documented cdk.json entries, not empty ones', () => {
    expect(DOCUMENTED_PROD_ENTRY).toMatchObject({ account: '123456789012', customDomain: { domainName: 'verify.example.com' } });
    expect(DOCUMENTED_CHALLENGE_ENTRY).toMatchObject({ challenge: { provider: 'turnstile', siteKey: expect.any(String) } });
  });

  it('a bot challenge’s secret is one more kept under a fixed name, which a redeploy takes over like the SENS secret', () => {
    const { keptNamedSecrets } = readAssembly(synth('prod with a bot challenge, as docs/challenge.md ("Turn it on") writes it').outdir);
    expect(keptNamedSecrets.map((s) => s.name).sort()).toEqual(['phone-verify/prod/challenge', 'phone-verify/prod/sens']);
  });
});

/** The property that holds a resource's physical name, where it is not `Name`. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
};
/**
 * What CloudFormation adopts by itself on `--import-existing-resources` (a static name, a Retain
 * policy, a type whose identifier is that name); a kept secret `npm run deploy` takes over with
 * `cdk import` instead (its identifier is its ARN).
 */
const ADOPTED_BY_NAME = new Set(['AWS::Logs::LogGroup']);

describe('what npm run deploy reads of the app (scripts/deploy-plan.ts)', () => {
  it('a production stage: protected once it stands, its SENS secret kept under a fixed name that a new create must take over', () => {
    const prod = synth('prod with the minimum a first deploy needs (docs/deploy.md, "The commands")');
    expect(readAssembly(prod.outdir)).toEqual({
      stackName: 'PhoneVerify-prod',
      account: '123456789012',
      region: 'ap-northeast-2',
      terminationProtection: true,
      keptNamedSecrets: [{ logicalId: expect.stringMatching(/^VerifySecretsSensSecret/), name: 'phone-verify/prod/sens' }],
    });
  });

  it('its first deploy: no termination protection and no deletion protection on the tables, so a failed create rolls back whole', () => {
    const first = synth('a first production deploy (npm run deploy, before the protections come on)');
    expect(readAssembly(first.outdir).terminationProtection).toBe(false);
    const tables = Object.values(first.template().findResources('AWS::DynamoDB::Table')) as Array<{ Properties: { DeletionProtectionEnabled: boolean } }>;
    expect(tables.map((t) => t.Properties.DeletionProtectionEnabled)).toEqual([false, false]);
  });

  it('names, in the runbook’s one command that takes the SENS secret over, the logical id the template has', () => {
    const [sens] = readAssembly(synth('prod with the minimum a first deploy needs (docs/deploy.md, "The commands")').outdir).keptNamedSecrets;
    expect(readFileSync(join(ROOT, 'docs', 'runbook.md'), 'utf8')).toContain(`'{"${sens!.logicalId}":{"Id":`);
  });

  it('a development stage: never protected, nothing kept (its secret goes with the stack)', () => {
    expect(readAssembly(synth('dev, as it comes').outdir)).toMatchObject({ stackName: 'PhoneVerify-dev', terminationProtection: false, keptNamedSecrets: [] });
  });

  it('the account stack: protected once it stands, its first create not', () => {
    expect(readAssembly(synthApp((app) => new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount')).outdir)).toMatchObject({
      terminationProtection: true,
      keptNamedSecrets: [],
    });
    expect(
      readAssembly(synthApp((app) => new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount', { firstDeploy: true })).outdir).terminationProtection,
    ).toBe(false);
  });

  it.each(SETUPS.map(([label]) => label))('%s: everything it keeps under a fixed name, a redeploy after a destroy takes over', (label) => {
    const setup = synth(label);
    const resources = setup.template().toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
    const keptNamed = Object.entries(resources).filter(
      ([, r]) =>
        (r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate') && typeof r.Properties?.[NAME_PROPERTY[r.Type] ?? 'Name'] === 'string',
    );
    const imported = new Set(readAssembly(setup.outdir).keptNamedSecrets.map((s) => s.logicalId));
    expect(keptNamed.filter(([id, r]) => !ADOPTED_BY_NAME.has(r.Type) && !imported.has(id)).map(([id, r]) => `${r.Type} ${id}`)).toEqual([]);
  });

  it('sees the WAF log group prod keeps by name, which CloudFormation adopts', () => {
    const t = synth('prod with WAF logging (docs/deploy.md)').template();
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'RetainExceptOnCreate', Properties: { LogGroupName: 'aws-waf-logs-phone-verify-prod' } });
  });
});

describe('the outputs a deploy prints', () => {
  const executeApi = (label: string) =>
    Object.entries(synth(label).template().toJSON().Outputs as Record<string, { Value: unknown }>)
      .filter(([, o]) => JSON.stringify(o.Value).includes('execute-api'))
      .map(([name]) => name);

  it('print the execute-api URL while that endpoint answers', () => {
    expect(executeApi('prod with the minimum a first deploy needs (docs/deploy.md, "The commands")')).toEqual(expect.arrayContaining(['ApiUrl', 'JwksUrl']));
  });

  it('print no execute-api URL once a custom domain closes that endpoint: the domain’s instead', () => {
    const label = 'prod on a custom domain with the execute-api endpoint closed (docs/deploy.md)';
    expect(executeApi(label)).toEqual([]);
    const outputs = synth(label).template().toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ApiUrl?.Value).toBe('https://verify.example.com/');
  });
});

describe('the figures the docs give, computed from the templates', () => {
  const doc = (page: string) => readFileSync(join(ROOT, 'docs', page), 'utf8').replace(/\s+/g, ' ');
  const figure = (page: string, pattern: RegExp) => (pattern.exec(doc(page)) ?? []).slice(1).map((n) => Number(n.replace(/,/g, '')));
  const alarms = (label: string) => synth(label).template().toJSON().Resources as Record<string, { Type: string }>;
  const count = (label: string) => Object.values(alarms(label)).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
  const DEV = 'dev, as it comes';
  const PROD_MIN = 'prod with the minimum a first deploy needs (docs/deploy.md, "The commands")';

  it('docs/deploy.md: the alarms of dev and prod as they come, and the one a webhook or a second SMS provider adds', () => {
    expect(figure('deploy.md', /([0-9]+) alarms in dev, ([0-9]+) in prod as they come/)).toEqual([count(DEV), count(PROD_MIN)]);
    expect(doc('deploy.md')).toContain('a webhook adds one, and so does a second SMS provider in prod');
    expect(count('prod with the webhook (docs/events.md, "A webhook")') - count(PROD_MIN)).toBe(1);
    expect(count('prod with End User Messaging picking its own identity (docs/providers.md)') - count(PROD_MIN)).toBe(1);
    expect(doc('deploy.md')).toContain('a bot challenge adds one');
    expect(count('prod with a bot challenge, as docs/challenge.md ("Turn it on") writes it') - count(PROD_MIN)).toBe(1);
  });

  it('docs/cost.md: prod’s alarms and the metrics they are billed for, and the WAF rules billed', () => {
    const t = synth(PROD_MIN).template();
    expect(figure('cost.md', /([0-9]+) alarms reading ([0-9]+) metrics/)).toEqual([count(PROD_MIN), billedAlarmMetrics(t)]);
    const rules = (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Rules: unknown[] } }).Properties.Rules.length;
    expect(rules).toBe(WAF_RULES);
    expect(figure('cost.md', /web ACL \$5 \+ ([0-9]+) rules/)).toEqual([WAF_RULES]);
  });

  it('the production budget carries the cost table’s busiest month with room for peaks, and the docs say so', () => {
    const monthly = Math.max(...[...doc('cost.md').matchAll(/\| prod, ([0-9,]+) \|/g)].map((m) => Number(m[1]!.replace(/,/g, ''))));
    expect(monthly).toBe(1_000_000);
    const hourlyAverage = monthly / ((365 * 24) / 12);
    expect(PRODUCTION_SMS_BUDGET_PER_HOUR).toBeGreaterThanOrEqual(3 * hourlyAverage);
    expect(figure('cost.md', /the production preset's ([0-9,]+) an hour/)).toEqual([PRODUCTION_SMS_BUDGET_PER_HOUR]);
    const prodFunctions = Object.values(synth(PROD_MIN).template().findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables?: Record<string, string> } };
    }>;
    const budgets = prodFunctions.map((f) => f.Properties.Environment?.Variables?.SMS_BUDGET_PER_HOUR).filter((b) => b !== undefined);
    expect(budgets.length).toBeGreaterThan(0);
    expect(new Set(budgets)).toEqual(new Set([String(PRODUCTION_SMS_BUDGET_PER_HOUR)]));
  });
});
