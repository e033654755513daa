#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DEFAULT_REGION, stageConfig, type StageOverrides } from '../lib/config';
import { ApiGatewayAccountStack } from '../lib/api-gateway-account-stack';
import { addNagChecks } from '../lib/nag';
import { PhoneVerifyStack } from '../lib/phone-verify-stack';

/**
 * `npm run deploy -- -c stage=dev` (or prod, or any name with a preset; without `-c stage` it is
 * dev), through scripts/deploy.ts, or `npx cdk synth|diff|deploy -c stage=…` directly.
 * Per-stage settings live in cdk.json under context `phone-verify` → stage name; `-c account=…`,
 * `-c region=…`, `-c alarmEmail=…`, `-c alarmTopicArn=…` or `-c preset=…` override one of them
 * for one run (`-c firstDeploy=true` is npm run deploy's own). `-c setup=account -c stage=prod`
 * builds the one account-wide setting instead, in that stage's account and region
 * (docs/deploy.md, "First deploy on a new account").
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');

/** The stage's settings: cdk.json's entry, then what the command line gives. */
function overrides(): StageOverrides {
  const perStage = (app.node.tryGetContext('phone-verify') as Record<string, StageOverrides> | undefined)?.[stage] ?? {};
  const fromCommandLine = Object.fromEntries(
    (['account', 'region', 'alarmEmail', 'alarmTopicArn', 'preset'] as const).flatMap((key) => {
      const value = app.node.tryGetContext(key) as unknown;
      return typeof value === 'string' && value !== '' ? [[key, value]] : [];
    }),
  );
  const firstDeploy = app.node.tryGetContext('firstDeploy') as unknown;
  return { ...perStage, ...fromCommandLine, ...(firstDeploy !== undefined && { firstDeploy: firstDeploy === true || firstDeploy === 'true' }) };
}

if (app.node.tryGetContext('setup') === 'account') {
  // Where the stage deploys (cdk.json and -c, as for the stage itself), else the CLI's profile:
  // the role must be in the region the stage's API is in, whatever the profile says.
  const given = overrides();
  const account = given.account || process.env.CDK_DEFAULT_ACCOUNT;
  const region = given.region || (given.account ? DEFAULT_REGION : process.env.CDK_DEFAULT_REGION);
  new ApiGatewayAccountStack(app, 'PhoneVerify-ApiGatewayAccount', { ...(account && region && { env: { account, region } }), firstDeploy: given.firstDeploy });
} else {
  const config = stageConfig(stage, overrides());
  new PhoneVerifyStack(app, `PhoneVerify-${stage}`, {
    config,
    description: `phone-verify (${stage}): one-time SMS codes and verification tokens`,
  });
}
addNagChecks(app);
