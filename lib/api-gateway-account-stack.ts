import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * The one API Gateway setting that is account-wide (per region): the role API Gateway uses to
 * write access logs to CloudWatch. Every stage needs it, so no stage stack may own it (two stages
 * would fight over it, and deleting one would break the other's logs). Deploy once per account
 * and region with `npx cdk deploy -c setup=account`, or skip it if the account already has one.
 */
export class ApiGatewayAccountStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'phone-verify: API Gateway CloudWatch logging role (account-wide, once per region)', ...props });
    this.role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    new CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    Tags.of(this).add('Project', 'phone-verify');
  }
}
