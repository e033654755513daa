import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { StageOverrides } from '../../lib/config';
import { PhoneVerification } from '../../lib/phone-verification';
import { applicationFunctions, removeSynthOutput, synthApp, synthStage } from '../support/cdk';

/** A stage with the bot challenge on send (docs/challenge.md, "Turn it on"): its secret, who reads it, the function, the alarm. */
afterAll(removeSynthOutput);

const CHALLENGE = {
  provider: 'turnstile',
  siteKey: '0x4AAAAAAAprodsite',
  when: 'tripped',
  hostnames: ['app.example.com', 'www.example.com'],
  action: 'send_code',
} as const satisfies StageOverrides['challenge'];
const PROD = { corsAllowedOrigins: ['https://app.example.com'], challenge: CHALLENGE, demoPage: true } satisfies StageOverrides;

type Fn = { Properties: { Timeout: number; Environment: { Variables: Record<string, unknown> } } };
type Statement = { Action: string | string[]; Resource: unknown };
const variables = (t: Template) => (applicationFunctions(t) as Fn[]).map((f) => f.Properties.Environment.Variables);
const sendFunction = (t: Template) => (applicationFunctions(t) as Fn[]).find((f) => 'LIMITS_TABLE_NAME' in f.Properties.Environment.Variables)!;
const statementsOf = (t: Template, rolePrefix: RegExp): Statement[] =>
  (Object.values(t.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }>)
    .filter((p) => p.Properties.Roles.some((r) => rolePrefix.test(r.Ref)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('a production stage with a bot challenge', () => {
  // Synthesised once, with cdk-nag added before (test/support/cdk.ts): a finding would throw.
  const stage = synthStage('prod', PROD);
  const violations = stage.violations();
  const t = stage.template();

  it('stays cdk-nag clean (the challenge secret’s rotation acknowledged with its reason)', () => {
    expect(violations).toEqual([]);
    expect(stage.stack.verification.nagAcknowledgements.map((a) => `${a.id} ${a.construct.node.path}`)).toContain(
      'AwsSolutions-SMG4 PhoneVerify-prod/Verify/Secrets/ChallengeSecret',
    );
  });

  it('keeps the secret key in phone-verify/prod/challenge, a placeholder until the operator fills it, retained like the SENS secret', () => {
    t.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'phone-verify/prod/challenge', SecretString: 'REPLACE_ME' },
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    t.hasOutput('ChallengeSecretName', { Value: Match.anyValue() });
  });

  it('lets only the send function read it, with the settings as the functions read them, and no secret or endpoint in any variable', () => {
    const send = sendFunction(t).Properties.Environment.Variables;
    expect(send).toMatchObject({
      CHALLENGE_PROVIDER: 'turnstile',
      CHALLENGE_SITE_KEY: CHALLENGE.siteKey,
      CHALLENGE_WHEN: 'tripped',
      CHALLENGE_HOSTNAMES: 'app.example.com,www.example.com',
      CHALLENGE_ACTION: 'send_code',
      CHALLENGE_SECRET_ARN: { Ref: expect.stringMatching(/^VerifySecretsChallengeSecret/) },
      STAGE_PRESET: 'production',
    });
    for (const vars of variables(t)) {
      expect(Object.keys(vars).filter((k) => ['CHALLENGE_SECRET', 'CHALLENGE_ENDPOINT'].includes(k))).toEqual([]);
      if (vars !== send) expect(Object.keys(vars).filter((k) => k.startsWith('CHALLENGE_'))).toEqual([]);
    }
    const readers = (prefix: RegExp) =>
      statementsOf(t, prefix)
        .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => [s.Resource].flat());
    expect(JSON.stringify(readers(/^VerifySendCode/))).toMatch(/VerifySecretsChallengeSecret/);
    for (const other of [/^VerifyCheckCode/, /^VerifyEvents/]) expect(JSON.stringify(readers(other))).not.toMatch(/ChallengeSecret/);
  });

  it('gives the send function the challenge’s time too, and the one read that answers a keyed retry before it', () => {
    // 5 s SMS + 3 s challenge + the send's 3.5 s DynamoDB allowance (the read is one more call in it) + 3 s cold start
    expect(sendFunction(t).Properties.Timeout).toBe(15);
    const dynamo = statementsOf(t, /^VerifySendCode/).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo.flatMap((s) => [s.Action].flat())).toContain('dynamodb:GetItem');
  });

  it('alarms when sends are refused for the challenge service’s sake (2 of 3 periods), and leaves them out of the 5xx alarm', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { AlarmDescription: string; MetricName?: string; EvaluationPeriods: number; DatapointsToAlarm?: number; Metrics?: unknown };
    }>;
    const challenge = alarms.find((a) => a.Properties.AlarmDescription.includes('bot challenge could not be verified'));
    expect(challenge?.Properties).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(JSON.stringify(challenge)).toContain('"MetricName":"ChallengeUnavailable","Namespace":"PhoneVerify"');
    const api5xx = alarms.find((a) => a.Properties.AlarmDescription.includes('API answered 5xx'));
    expect(JSON.stringify(api5xx?.Properties.Metrics)).toContain('- FILL(challenge, 0)');
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'))).toContain('Bot challenge');
  });

  it('serves the demo page with the stage’s widget', () => {
    const page = JSON.stringify(t.findResources('AWS::ApiGateway::Method'));
    expect(page).toContain('<meta name=\\"phone-verify-challenge\\" content=\\"{&quot;provider&quot;:&quot;turnstile&quot;');
  });
});

describe('a stage’s challenge settings, judged at synth', () => {
  it.each([
    [{ challenge: { provider: 'turnstile', siteKey: '1x00000000000000000000AA' } }, 'documented test key of turnstile'],
    [{ challenge: { provider: 'hcaptcha', siteKey: '10000000-ffff-ffff-ffff-000000000001' } }, 'documented test key of hcaptcha'],
    [{ challenge: { provider: 'recaptcha', siteKey: '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI' } }, 'documented test key of recaptcha'],
  ])('a production stage refuses the services’ documented test site key (%j)', (overrides, message) => {
    expect(() => synthStage('prod', { corsAllowedOrigins: ['https://app.example.com'], ...(overrides as StageOverrides) })).toThrow(message);
  });

  it('a development stage takes a test site key (CI and demos use them)', () => {
    const t = synthStage('dev', { challenge: { provider: 'turnstile', siteKey: '1x00000000000000000000AA' } }).template();
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CHALLENGE_SITE_KEY: '1x00000000000000000000AA' }) } });
  });

  it.each([
    [{ serviceSettings: { CHALLENGE_ENDPOINT: 'https://challenges.example.com' } }, 'CHALLENGE_ENDPOINT only works locally'],
    [{ serviceSettings: { CHALLENGE_SECRET: 'x' } }, 'CHALLENGE_SECRET never goes in a setting'],
    [{ serviceSettings: { CHALLENGE_PROVIDER: 'turnstile' } }, 'the bot challenge is the "challenge" setting'],
    [{ challenge: { provider: 'turnstile', siteKey: 's', secret: 'x' } }, 'challenge: secret is not one of'],
    [{ challenge: { provider: 'turnstile', siteKey: 's', hostnames: 'app.example.com' } }, 'challenge.hostnames must be a list'],
    [{ challenge: { provider: 'turnstile', siteKey: 's', minScore: '0.5' } }, 'challenge.minScore must be a number'],
    [{ challenge: { provider: 'captcha', siteKey: 's' } }, 'CHALLENGE_PROVIDER must be turnstile, hcaptcha, recaptcha or unset'],
    [{ challenge: { provider: 'hcaptcha', siteKey: 's', action: 'send' } }, 'hCaptcha reports no action'],
    [
      { challenge: { provider: 'turnstile', siteKey: 's' }, serviceSettings: { SMS_TIMEOUT_MS: '20000', CHALLENGE_TIMEOUT_MS: '3000' } },
      'is 23000 ms: at most 22000 with a challenge',
    ],
  ])('refuses %j, naming what to fix', (overrides, message) => {
    expect(() => synthStage('dev', overrides as StageOverrides)).toThrow(message);
  });

  it('has no challenge secret, variable or alarm without a challenge', () => {
    const t = synthStage('dev').template();
    expect(JSON.stringify(t.toJSON())).not.toMatch(/ChallengeSecret|CHALLENGE_|ChallengeUnavailable/);
  });
});

describe('the construct’s challenge prop', () => {
  it('takes the same settings as code gives them, and exposes the secret to fill', () => {
    let verify: PhoneVerification | undefined;
    const { template } = synthApp((app) => {
      const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'ap-northeast-2' } });
      verify = new PhoneVerification(stack, 'Verify', { stage: 'dev', challenge: { provider: 'hcaptcha', siteKey: 'a1b2c3d4-site', minScore: undefined } });
      return stack;
    });
    expect(verify?.challengeSecret).toBeDefined();
    const t = template();
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'phone-verify/dev/challenge', SecretString: 'REPLACE_ME' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CHALLENGE_PROVIDER: 'hcaptcha', CHALLENGE_SITE_KEY: 'a1b2c3d4-site', CHALLENGE_MIN_SCORE: Match.absent() }),
      },
    });
  });
});
