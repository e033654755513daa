import { RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
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
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn }).applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}

/** This repo's app deploys the setting in a stack of its own: `npx cdk deploy -c setup=account -c stage=<stage>`. */
export class ApiGatewayAccountStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'phone-verify: API Gateway CloudWatch logging role (account-wide, once per region)',
      terminationProtection: true,
      ...props,
    });
    this.role = new ApiGatewayCloudWatchRole(this, 'Logging').role;
    Tags.of(this).add('Project', 'phone-verify');
  }
}
