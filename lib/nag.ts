import { Validations, type App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from './config';
import { ApiGatewayAccountStack } from './api-gateway-account-stack';
import type { PhoneVerifyStack } from './phone-verify-stack';

/**
 * cdk-nag AwsSolutions on the whole app, and the few findings this design accepts, each on the
 * exact resource with a reason a reviewer can check. Everything else fails the synth.
 */
export function addNagChecks(app: App, stack: PhoneVerifyStack | ApiGatewayAccountStack, config?: StageConfig): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const acknowledge = (construct: { node: unknown } | Stack, id: string, reason: string) => Validations.of(construct as Stack).acknowledge({ id, reason });
  if (stack instanceof ApiGatewayAccountStack || !config) {
    acknowledge(stack, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway\'s account-level logging role: the AWS-managed policy is the documented way to let API Gateway write logs.');
    return;
  }

  for (const fn of [stack.sendCode, stack.checkCode]) {
    acknowledge(fn.role, 'AwsSolutions-IAM5[Resource::<' + stack.getLogicalId(fn.logGroup.node.defaultChild as never) + '.Arn>:*]',
      'Log streams are created at run time inside the function\'s own log group; the grant names that group.');
    if (config.tracing) acknowledge(fn.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.');
  }
  const { secrets } = stack;
  acknowledge(secrets.tokenSecret, 'AwsSolutions-SMG4', 'Rotated by hand: consuming backends cache this key, and the kid header lets them accept old and new versions during a change.');
  acknowledge(secrets.codeHashSecret, 'AwsSolutions-SMG4', 'Rotating it only voids codes pending at that moment (5 minutes); done by hand with the token secret.');
  acknowledge(secrets.sensSecret, 'AwsSolutions-SMG4', 'SENS keys are issued in the Naver Cloud console; AWS cannot rotate them.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG6', 'Execution logging is off on purpose: it needs a log group API Gateway creates without a retention; the access log (path, status, WAF verdict, user agent) and the functions\' own logs, both with a retention, cover it.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG2', 'The functions validate every request and must answer with the spec\'s problem+json; a gateway validator would answer in its own format.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG4', 'Public by design: anyone may ask for a code for a number they hold. Abuse is bounded by per-number limits, stage throttling and WAF.');
  acknowledge(stack.api.api, 'AwsSolutions-COG4', 'No user pool: callers are not yet users; proving the phone number is what this API is for.');
  if (!stack.api.webAcl) acknowledge(stack.api.api, 'AwsSolutions-APIG3', 'WAF is off in this non-production stage (about $6/month); prod turns it on.');
  if (!config.protectData) {
    acknowledge(stack.tableConstruct.table, 'AwsSolutions-DDB3', 'Non-production: holds only short-lived codes and counters; losing it costs nothing but pending codes.');
    acknowledge(stack.limitsTable.table, 'AwsSolutions-DDB3', 'Non-production: hourly abuse counters that expire within two hours; a restore would bring back nothing worth having.');
  }
  acknowledge(stack, 'AwsSolutions-SNS2', 'Alarm notifications carry no user data; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key costs $1/month per stage.');
}
