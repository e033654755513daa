import { Validations, type App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config';
import { ApiGatewayAccountStack } from './api-gateway-account-stack';
import type { PhoneVerifyStack } from './phone-verify-stack';

/** A cdk-nag finding this design accepts, on one construct, with a reason a reviewer can check. */
export interface Acknowledgement {
  readonly construct: IConstruct;
  readonly id: string;
  readonly reason: string;
}

/**
 * cdk-nag AwsSolutions on the whole app, and the few findings this design accepts. Everything
 * else fails the synth. (A test removes each acknowledgement in turn and expects its finding
 * back, so none stays here after the resource it excused is gone.)
 */
export function addNagChecks(app: App, stack: PhoneVerifyStack | ApiGatewayAccountStack, config?: StageConfig, leaveOut?: Acknowledgement): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  for (const a of nagAcknowledgements(stack, config)) {
    if (leaveOut && a.id === leaveOut.id && a.construct.node.path === leaveOut.construct.node.path) continue;
    Validations.of(a.construct as Stack).acknowledge({ id: a.id, reason: a.reason });
  }
}

export function nagAcknowledgements(stack: PhoneVerifyStack | ApiGatewayAccountStack, config?: StageConfig): Acknowledgement[] {
  const list: Acknowledgement[] = [];
  const acknowledge = (construct: IConstruct, id: string, reason: string) => list.push({ construct, id, reason });
  if (stack instanceof ApiGatewayAccountStack) {
    acknowledge(stack.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway\'s account-level logging role: the AWS-managed policy is the documented way to let API Gateway write logs.');
    return list;
  }
  if (!config) throw new Error('addNagChecks: a stage stack needs its StageConfig');

  if (config.tracing) {
    for (const fn of [stack.sendCode, stack.checkCode]) {
      acknowledge(fn.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.');
    }
  }
  const { secrets } = stack;
  acknowledge(secrets.tokenSecret, 'AwsSolutions-SMG4', 'Rotated by hand (README: rotating the token secret): consuming backends cache this key, and the kid header lets them accept old and new versions during a change.');
  acknowledge(secrets.codeHashSecret, 'AwsSolutions-SMG4', 'Rotating it only voids codes pending at that moment (5 minutes); done by hand with the token secret.');
  acknowledge(secrets.sensSecret, 'AwsSolutions-SMG4', 'SENS keys are issued in the Naver Cloud console; AWS cannot rotate them.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG6', 'Execution logging is off on purpose: it needs a log group API Gateway creates without a retention; the access log (path, status, WAF verdict, user agent) and the functions\' own logs, both with a retention, cover it.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG2', 'The functions validate every request and must answer with the spec\'s problem+json; a gateway validator would answer in its own format.');
  acknowledge(stack.api.api, 'AwsSolutions-APIG4', 'Public by design: anyone may ask for a code for a number they hold. Abuse is bounded by per-number limits, the hourly budget, stage throttling and WAF.');
  acknowledge(stack.api.api, 'AwsSolutions-COG4', 'No user pool: callers are not yet users; proving the phone number is what this API is for.');
  if (!stack.api.webAcl) acknowledge(stack.api.api, 'AwsSolutions-APIG3', 'WAF is off in this stage (a setting; about $8/month with the managed lists); prod turns it on.');
  if (!config.protectData) {
    acknowledge(stack.tableConstruct.table, 'AwsSolutions-DDB3', 'Non-production: holds only short-lived codes and counters; losing it costs nothing but pending codes.');
    acknowledge(stack.limitsTable.table, 'AwsSolutions-DDB3', 'Non-production: hourly abuse counters that expire within two hours; a restore would bring back nothing worth having.');
  }
  return list;
}
