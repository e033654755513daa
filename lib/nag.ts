import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiGatewayAccountStack } from './api-gateway-account-stack';

/**
 * cdk-nag AwsSolutions on the whole app: everything not acknowledged fails the synth. The
 * service's acknowledgements come with the PhoneVerification construct (lib/phone-verification.ts);
 * the account stack's one is here.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  for (const stack of app.node.children) {
    if (stack instanceof ApiGatewayAccountStack) {
      Validations.of(stack.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "API Gateway's account-level logging role: the AWS-managed policy is the documented way to let API Gateway write logs.",
      });
    }
  }
}
