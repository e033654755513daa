import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { PhoneVerification } from '../../lib/phone-verification';

/** The construct as another team's app uses it: a plain App and Stack, none of this repo's cdk.json. */
function consumerStack(): Stack {
  return new Stack(new App(), 'Shop', { env: { account: '123456789012', region: 'ap-northeast-2' } });
}

describe('PhoneVerification in an app of its own', () => {
  it('sends the alarms to a topic the app hands it, creating none', () => {
    const stack = consumerStack();
    const oncall = new Topic(stack, 'Oncall');
    const verify = new PhoneVerification(stack, 'Verify', { stage: 'prod', alarmTopic: oncall });
    expect(verify.alarmTopic).toBe(oncall);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    const oncallId = stack.getLogicalId(oncall.node.defaultChild as never);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: { AlarmActions: unknown[] } }>;
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: oncallId }]);
  });

  it('refuses prod with nobody to alarm, naming the three ways', () => {
    expect(() => new PhoneVerification(consumerStack(), 'Verify', { stage: 'prod' })).toThrow(/alarmEmail, alarmTopicArn or alarmTopic/);
  });

  it('exposes what an app wires to: the URL, the JWKS URL, the tables, the token key, the functions', () => {
    const stack = consumerStack();
    const verify = new PhoneVerification(stack, 'Verify');
    expect(stack.resolve(verify.apiUrl)).toEqual({
      'Fn::Join': ['', expect.arrayContaining([expect.objectContaining({ Ref: expect.stringMatching(/^VerifyHttpApi/) })])],
    });
    expect(stack.resolve(verify.table.tableName)).toEqual({ Ref: expect.stringMatching(/^VerifyVerificationsTable/) });
    expect(stack.resolve(verify.limitsTable.tableName)).toEqual({ Ref: expect.stringMatching(/^VerifyLimitsTable/) });
    expect(verify.settings).toMatchObject({ stage: 'dev', corsAllowedOrigins: ['*'] });
    expect(stack.resolve(verify.jwksUrl)).toEqual({ 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/\.well-known\/jwks\.json$/)])] });
    expect(stack.resolve(verify.tokenSigningKey.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VerifyTokenKeysKeyk1/), 'Arn'] });
    expect([...verify.tokenKeys.keys()]).toEqual(['k1']);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 3);
    expect([verify.sendCodeFunction, verify.checkCodeFunction, verify.eventsFunction].map((f) => f.runtime.name)).toEqual([
      'nodejs24.x',
      'nodejs24.x',
      'nodejs24.x',
    ]);
    expect(stack.resolve(verify.eventBus.eventBusName)).toEqual({ Ref: expect.stringMatching(/^VerifyEventsBus/) });
  });

  it('refuses a stage of its own without a preset, and takes a setting as code gives it: custom domain, WAF off', () => {
    expect(() => new PhoneVerification(consumerStack(), 'Verify', { stage: 'staging' })).toThrow(/stage "staging" needs a preset/);
    const stack = consumerStack();
    new PhoneVerification(stack, 'Verify', {
      stage: 'staging',
      preset: 'development',
      waf: { enabled: false },
      customDomain: {
        domainName: 'verify.example.com',
        certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc',
        hostedZoneId: 'Z123',
        hostedZoneName: 'example.com',
      },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'verify.example.com' });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'verify.example.com.', Type: 'A', AliasTarget: Match.anyValue() });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'phone-verify-staging' });
  });

  it('takes the custom domain’s certificate and zone as constructs of the app, and can close the execute-api endpoint', () => {
    const stack = consumerStack();
    const zone = HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    const certificate = Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc');
    new PhoneVerification(stack, 'Verify', {
      customDomain: { domainName: 'verify.example.com', certificate, hostedZone: zone, disableExecuteApiEndpoint: true },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'verify.example.com',
      RegionalCertificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc',
    });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    t.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z123' });
  });
});
