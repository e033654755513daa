import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEFAULT_REGION, type StageConfig } from './config';
import { PhoneVerification } from './phone-verification';

export interface PhoneVerifyStackProps extends StackProps {
  readonly config: StageConfig;
  /** Passed to the construct (tests turn it off to check each acknowledgement is still needed). */
  readonly acknowledgeNagFindings?: boolean;
}

/** One environment of this repo's app: the PhoneVerification construct, tags and outputs. */
export class PhoneVerifyStack extends Stack {
  readonly verification: PhoneVerification;

  constructor(scope: Construct, id: string, props: PhoneVerifyStackProps) {
    const { config, acknowledgeNagFindings, ...stackProps } = props;
    super(scope, id, {
      // Pinned where the stage names it (prod must); otherwise the operator's credentials decide.
      ...(config.account && { env: { account: config.account, region: config.region ?? DEFAULT_REGION } }),
      // On from the second deploy of a production stage: the CLI turns it on before the create, and
      // a first create that failed could then not be deleted to try again (docs/deploy.md, "First deploy on a new account").
      terminationProtection: config.protectData && !config.firstDeploy,
      ...stackProps,
    });
    Tags.of(this).add('Project', 'phone-verify');
    Tags.of(this).add('Stage', config.stage);
    const { account: _account, region: _region, ...settings } = config;
    const verification = new PhoneVerification(this, 'Verify', { ...settings, ...(acknowledgeNagFindings !== undefined && { acknowledgeNagFindings }) });
    this.verification = verification;

    new CfnOutput(this, 'ApiUrl', { value: verification.apiUrl, description: 'Base URL: POST {ApiUrl}v1/verifications' });
    new CfnOutput(this, 'TableName', { value: verification.table.tableName });
    new CfnOutput(this, 'LimitsTableName', { value: verification.limitsTable.tableName });
    new CfnOutput(this, 'JwksUrl', { value: verification.jwksUrl, description: 'Backends verify tokens with the keys published here' });
    new CfnOutput(this, 'TokenSigningKeyArn', { value: verification.tokenSigningKey.keyArn, description: 'The KMS key that signs tokens' });
    new CfnOutput(this, 'SensSecretName', { value: verification.sensSecret.secretName, description: 'Fill once with the SENS credentials' });
    if (verification.challengeSecret)
      new CfnOutput(this, 'ChallengeSecretName', {
        value: verification.challengeSecret.secretName,
        description: "Fill once with the bot challenge service's secret key",
      });
    new CfnOutput(this, 'EventBusName', {
      value: verification.eventBus.eventBusName,
      description: 'Subscribe to the lifecycle events with a rule on this bus',
    });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
      value: verification.eventsDeadLetterQueue.queueUrl,
      description: 'Lifecycle events that could not be published, whole (docs/events.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: verification.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${verification.dashboardName}`,
    });
  }
}
