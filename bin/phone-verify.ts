#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { stageConfig, type StageOverrides } from '../lib/config';
import { ApiGatewayAccountStack } from '../lib/api-gateway-account-stack';
import { addNagChecks } from '../lib/nag';
import { PhoneVerifyStack } from '../lib/phone-verify-stack';

/**
 * `npx cdk deploy -c stage=dev` (or prod, or any name; without `-c stage` it is dev). Per-stage
 * settings live in cdk.json under context `phone-verify` → stage name; `-c account=…`,
 * `-c region=…`, `-c alarmEmail=…` or `-c alarmTopicArn=…` override one of them for one run.
 * `npx cdk deploy -c setup=account` deploys the one account-wide setting instead (README).
 */
const app = new App();
if (app.node.tryGetContext('setup') === 'account') {
  const { CDK_DEFAULT_ACCOUNT: account, CDK_DEFAULT_REGION: region } = process.env;
  new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount', account && region ? { env: { account, region } } : {});
} else {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const perStage = (app.node.tryGetContext('phone-verify') as Record<string, StageOverrides> | undefined)?.[stage] ?? {};
  const fromCommandLine = Object.fromEntries(
    (['account', 'region', 'alarmEmail', 'alarmTopicArn'] as const).flatMap((key) => {
      const value = app.node.tryGetContext(key) as unknown;
      return typeof value === 'string' && value !== '' ? [[key, value]] : [];
    }),
  );
  const config = stageConfig(stage, { ...perStage, ...fromCommandLine });
  new PhoneVerifyStack(app, `PhoneVerify-${stage}`, {
    config,
    description: `phone-verify (${stage}): one-time SMS codes and verification tokens`,
  });
}
addNagChecks(app);
