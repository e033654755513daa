import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { PhoneVerification } from '../../lib/phone-verification';
import { PROD_MINIMUM, removeSynthOutput, synthApp, synthStage } from '../support/cdk';

/** The SMS providers in the stack (docs/channels.md): their settings reach the send function, and it may use exactly them. */
afterAll(removeSynthOutput);

type Statement = { Action: string | string[]; Resource: unknown };
const statementsOf = (t: Template, rolePrefix: RegExp): Statement[] =>
  (Object.values(t.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }>)
    .filter((p) => p.Properties.Roles.some((r) => rolePrefix.test(r.Ref)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
const allowing = (t: Template, action: string) =>
  (Object.values(t.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Statement[] } } }>)
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => [s.Action].flat().includes(action));
const IDENTITY = 'arn:aws:sms-voice:ap-northeast-2:123456789012:phone-number/phone-0123456789abcdef';

describe('SMS providers in the stack', () => {
  it('by default: SENS only, no End User Messaging permission, no hook, no failover alarm', () => {
    const t = synthStage('prod', { corsAllowedOrigins: ['https://app.example.com'] }).template();
    expect(allowing(t, 'sms-voice:SendTextMessage')).toEqual([]);
    expect(allowing(t, 'lambda:InvokeFunction')).toEqual([]);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: { AlarmDescription: string } }>;
    expect(alarms.some((a) => a.Properties.AlarmDescription.includes('next SMS provider'))).toBe(false);
  });

  it('sens,aws with an origination identity by ARN: the list and settings reach the send function, SendTextMessage on exactly those resources, a failover alarm in prod', () => {
    const t = synthStage('prod', {
      corsAllowedOrigins: ['https://app.example.com'],
      smsProviders: ['sens', 'aws'],
      awsSms: { originationIdentity: IDENTITY, configurationSetName: 'phone-verify', protectConfigurationId: 'protect-0123' },
    }).template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      // The worst send: 5 s for every provider (the failover's budget write included) + 3.5 s for all
      // its other DynamoDB calls; + 3 s cold start.
      Timeout: 12,
      Environment: {
        Variables: Match.objectLike({
          SMS_PROVIDER: 'sens,aws',
          AWS_SMS_ORIGINATION_IDENTITY: IDENTITY,
          AWS_SMS_CONFIGURATION_SET: 'phone-verify',
          AWS_SMS_PROTECT_CONFIGURATION_ID: 'protect-0123',
        }),
      },
    });
    const sms = allowing(t, 'sms-voice:SendTextMessage');
    expect(sms).toHaveLength(1);
    expect(JSON.stringify(sms[0]!.Resource)).toContain(IDENTITY);
    expect(JSON.stringify(sms[0]!.Resource)).toContain('configuration-set/phone-verify');
    expect(JSON.stringify(sms[0]!.Resource)).toContain('protect-configuration/protect-0123');
    expect(JSON.stringify(sms[0]!.Resource)).not.toContain('"*"');
    expect(statementsOf(t, /^VerifyCheckCode/).filter((s) => [s.Action].flat().includes('sms-voice:SendTextMessage'))).toEqual([]);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('next SMS provider') });
  });

  it('aws without an identity ARN: AWS picks the identity, so the permission is * and says why to cdk-nag', () => {
    const app = synthStage('dev', { smsProviders: ['aws'] }, { allowFindings: true });
    const sms = allowing(app.template(), 'sms-voice:SendTextMessage');
    expect(sms.map((s) => s.Resource)).toEqual(['*']);
    expect(app.violations()).toEqual([]);
    expect(app.stack.verification.nagAcknowledgements.some((a) => a.reason.includes('AWS picks the identity'))).toBe(true);
  });

  it('lambda: the hook given as a function of the app, invoked by the send function as it names it and by nothing else, cdk-nag clean', () => {
    let hookRef = '';
    const shop = synthApp(
      (app) => {
        const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'ap-northeast-2' } });
        const hook = new LambdaFunction(stack, 'Hook', {
          runtime: Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: Code.fromInline('exports.handler=async()=>({status:"sent"})'),
          // A role with no managed policy, so what cdk-nag reports is the construct's alone.
          role: new Role(stack, 'HookRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
        });
        new PhoneVerification(stack, 'Verify', { smsProviders: ['lambda', 'sens'], smsHook: hook });
        hookRef = stack.getLogicalId(hook.node.defaultChild as never);
        return stack;
      },
      { allowFindings: true },
    );
    const t = shop.template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SMS_PROVIDER: 'lambda,sens', SMS_HOOK_FUNCTION: { 'Fn::GetAtt': [hookRef, 'Arn'] } }) },
    });
    const invoke = allowing(t, 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    // Exactly the ARN it is invoked by (SMS_HOOK_FUNCTION): no `:*` for versions and aliases it never calls.
    expect(invoke[0]!.Resource).toEqual({ 'Fn::GetAtt': [hookRef, 'Arn'] });
    expect(statementsOf(t, /^VerifySendCode/)).toContainEqual(invoke[0]);
    expect(shop.violations()).toEqual([]);
  });

  it('refuses lambda without a hook, and two disagreeing lists', () => {
    expect(() => synthStage('dev', { smsProviders: ['lambda'] })).toThrow(/smsProviders lists "lambda": give the construct smsHook/);
    expect(() => synthStage('dev', { smsProviders: ['aws'], serviceSettings: { SMS_PROVIDER: 'sens' } })).toThrow(/disagree/);
  });

  it('takes the hook by ARN from cdk.json', () => {
    const arn = 'arn:aws:lambda:ap-northeast-2:123456789012:function:sms-hook';
    const t = synthStage('prod', {
      ...PROD_MINIMUM,
      corsAllowedOrigins: ['https://app.example.com'],
      smsProviders: ['sens', 'lambda'],
      smsHookFunctionArn: arn,
    }).template();
    expect(allowing(t, 'lambda:InvokeFunction').map((s) => s.Resource)).toEqual([arn]);
  });
});
