import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_REGION, functionEnvironment, type StageConfig } from './config';
import { Monitoring } from './constructs/monitoring';
import { ServiceSecrets } from './constructs/service-secrets';
import { VerificationApi } from './constructs/verification-api';
import { VerificationFunction } from './constructs/verification-function';
import { VerificationTable } from './constructs/verification-table';
import { LIMITS_TABLE } from '../functions/adapters/table-definition';
import { parseCountries } from '../functions/config';
import { DYNAMODB_CALL_LIMIT_MS } from '../functions/runtime';

export interface PhoneVerifyStackProps extends StackProps {
  readonly config: StageConfig;
}

/** One environment of phone-verify: table, secrets, two functions, the API, alarms and dashboard. */
export class PhoneVerifyStack extends Stack {
  readonly sendCode: VerificationFunction;
  readonly checkCode: VerificationFunction;
  readonly api: VerificationApi;
  readonly tableConstruct: VerificationTable;
  /** The abuse counters (range limit, hourly SMS budget): only the send function writes them. */
  readonly limitsTable: VerificationTable;
  readonly secrets: ServiceSecrets;

  constructor(scope: Construct, id: string, props: PhoneVerifyStackProps) {
    const { config } = props;
    super(scope, id, {
      // Pinned where the stage names it (prod must); otherwise the operator's credentials decide.
      ...(config.account && { env: { account: config.account, region: config.region ?? DEFAULT_REGION } }),
      terminationProtection: config.protectData,
      ...props,
    });
    Tags.of(this).add('Project', 'phone-verify');
    Tags.of(this).add('Stage', config.stage);
    // What prod keeps survives an update or a deletion of the stack, but not a failed first
    // create: a rollback then removes it, so the next deploy does not trip over a retained name.
    const removalPolicy = config.protectData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    this.tableConstruct = new VerificationTable(this, 'Verifications', { protectData: config.protectData, removalPolicy });
    const { table } = this.tableConstruct;
    this.limitsTable = new VerificationTable(this, 'Limits', { protectData: config.protectData, removalPolicy, definition: LIMITS_TABLE });
    this.secrets = new ServiceSecrets(this, 'Secrets', { stage: config.stage, removalPolicy });

    const smsTimeoutMs = Number(config.serviceSettings.SMS_TIMEOUT_MS ?? 5000);
    const common = {
      memorySize: config.memorySize,
      logRetention: config.logRetention,
      removalPolicy,
      reservedConcurrency: config.reservedConcurrency,
      tracing: config.tracing,
      allowedCountries: [...parseCountries(config.serviceSettings.ALLOWED_COUNTRIES || 'KR')],
    };
    const environment = { ...functionEnvironment(config), TABLE_NAME: table.tableName, CODE_HASH_SECRET_ARN: this.secrets.codeHashSecret.secretArn };
    // Worst paths, each DynamoDB call at its hard limit: send = reservation, hourly counters,
    // the SMS call and one bookkeeping write (or the release); check = spend the attempt and
    // consume the code. Plus 3 s for a cold start and the secrets.
    this.sendCode = new VerificationFunction(this, 'SendCode', {
      ...common,
      entry: 'send-code.ts',
      timeout: Duration.seconds(Math.ceil((smsTimeoutMs + 3 * DYNAMODB_CALL_LIMIT_MS + 3000) / 1000)),
      environment: { ...environment, LIMITS_TABLE_NAME: this.limitsTable.table.tableName, SENS_SECRET_ARN: this.secrets.sensSecret.secretArn },
    });
    this.checkCode = new VerificationFunction(this, 'CheckCode', {
      ...common,
      entry: 'check-code.ts',
      timeout: Duration.seconds(Math.ceil((2 * DYNAMODB_CALL_LIMIT_MS + 3000) / 1000)),
      environment: { ...environment, TOKEN_SECRET_ARN: this.secrets.tokenSecret.secretArn },
    });

    // Least privilege: exactly the DynamoDB actions each function uses, on this table only.
    this.sendCode.role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [table.tableArn] }));
    this.sendCode.role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [this.limitsTable.table.tableArn] }));
    this.checkCode.role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));
    const readSecret = (fn: VerificationFunction, ...secrets: Array<ServiceSecrets['tokenSecret']>) =>
      fn.role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets.map((s) => s.secretArn) }));
    readSecret(this.sendCode, this.secrets.codeHashSecret, this.secrets.sensSecret);
    readSecret(this.checkCode, this.secrets.codeHashSecret, this.secrets.tokenSecret);

    this.api = new VerificationApi(this, 'Http', { config, sendCode: this.sendCode.function, checkCode: this.checkCode.function, logRetention: config.logRetention, removalPolicy });
    const monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      api: this.api.api,
      sendCode: this.sendCode.function,
      checkCode: this.checkCode.function,
      table,
      alarmEmail: config.alarmEmail,
      alarmTopicArn: config.alarmTopicArn,
      webAcl: this.api.webAcl,
      smsBudgetPerHour: Number(config.serviceSettings.SMS_BUDGET_PER_HOUR ?? 1000),
    });

    new CfnOutput(this, 'ApiUrl', { value: config.customDomain ? `https://${config.customDomain.domainName}/` : this.api.api.url, description: 'Base URL: POST {ApiUrl}v1/verifications' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'LimitsTableName', { value: this.limitsTable.table.tableName });
    new CfnOutput(this, 'TokenSecretName', { value: this.secrets.tokenSecret.secretName, description: 'Backends verify tokens with this secret' });
    new CfnOutput(this, 'SensSecretName', { value: this.secrets.sensSecret.secretName, description: 'Fill once with the SENS credentials' });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    });
  }
}
