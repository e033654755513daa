import { RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The one API Gateway setting that is account-wide (per region): the role API Gateway uses to
 * write access logs to CloudWatch. Every REST API in the region logs through it, so no stage may
 * own it (two stages would fight over it, and deleting one would break the other's logs), and
 * nothing may take it away by accident: the role and the setting are kept when their stack goes.
 * Needed once per account and region, unless `aws apigateway get-account` already shows a
 * `cloudwatchRoleArn`.
 */
export class ApiGatewayCloudWatchRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // Kept when the stack goes, but not by a create that failed: its rollback leaves nothing behind.
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    new CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn }).applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    // Its one cdk-nag finding, accepted here so any app that uses it stays clean.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-level logging role: the AWS-managed policy is the documented way to let API Gateway write logs.",
    });
  }
}

/** This repo's app deploys the setting in a stack of its own: `npm run deploy -- -c setup=account -c stage=<stage>`. */
export class ApiGatewayAccountStack extends Stack {
  readonly role: Role;

  /**
   * `firstDeploy`: its very first create, without termination protection, so a create that fails
   * can be deleted and run again (`npm run deploy` turns it on right after: docs/runbook.md).
   */
  constructor(scope: Construct, id: string, props: StackProps & { readonly firstDeploy?: boolean | undefined } = {}) {
    const { firstDeploy, ...stackProps } = props;
    super(scope, id, {
      description: 'phone-verify: API Gateway CloudWatch logging role (account-wide, once per region)',
      terminationProtection: !firstDeploy,
      ...stackProps,
    });
    this.role = new ApiGatewayCloudWatchRole(this, 'Logging').role;
    Tags.of(this).add('Project', 'phone-verify');
  }
}
