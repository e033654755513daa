#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { stageConfig, type StageOverrides } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { PhoneVerifyStack } from '../lib/phone-verify-stack';

/**
 * `npx cdk deploy -c stage=dev` (or prod, or any name). Per-stage overrides live in cdk.json under
 * context `phone-verify` → stage name; `-c alarmEmail=…` overrides one field for one run.
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const perStage = (app.node.tryGetContext('phone-verify') as Record<string, StageOverrides> | undefined)?.[stage] ?? {};
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
const config = stageConfig(stage, { ...perStage, ...(alarmEmail && { alarmEmail }) });
const stack = new PhoneVerifyStack(app, `PhoneVerify-${stage}`, {
  config,
  description: `phone-verify (${stage}): one-time SMS codes and verification tokens`,
  // The account and region of the operator's credentials (unset offline: an environment-agnostic template).
  ...(process.env.CDK_DEFAULT_ACCOUNT && { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'ap-northeast-2' } }),
});
addNagChecks(app, stack, config);
