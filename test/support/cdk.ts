import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stageConfig, type StageOverrides } from '../../lib/config';
import { addNagChecks } from '../../lib/nag';
import { acknowledgeAll } from '../../lib/phone-verification';
import { PhoneVerifyStack } from '../../lib/phone-verify-stack';

/** cdk.json's context: `new App()` in a test does not read it, and feature flags change templates. */
const CDK_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

const outdirs: string[] = [];

/** What prod needs before it synthesises: where it deploys and who hears its alarms. */
export const PROD_MINIMUM: StageOverrides = { account: '123456789012', region: 'ap-northeast-2', alarmEmail: 'ops@example.com' };

/**
 * The app as `cdk synth -c stage=…` builds it (the functions' code: the prebuilt dist/handlers).
 * `nag` adds cdk-nag; `leaveOut` acknowledges every accepted finding but that one (by index).
 */
export function synthStage(stage: string, overrides: StageOverrides = {}, options: { nag?: boolean; leaveOut?: number } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk.out-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...CDK_CONTEXT,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const config = stageConfig(stage, stage === 'prod' ? { ...PROD_MINIMUM, ...overrides } : overrides);
  const stack = new PhoneVerifyStack(app, `PhoneVerify-${stage}`, { config, acknowledgeNagFindings: options.leaveOut === undefined });
  if (options.leaveOut !== undefined) acknowledgeAll(stack.verification.nagAcknowledgements.filter((_, i) => i !== options.leaveOut));
  if (options.nag) addNagChecks(app);
  return {
    app,
    stack,
    outdir,
    template: () => Template.fromStack(stack),
    /** Synthesises and returns the cdk-nag findings (acknowledged ones are not listed). */
    violations: () => {
      app.synth();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
      };
      return report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)));
    },
  };
}

/** Template tests leave cdk.out folders in the temp directory: remove them. */
export function removeSynthOutput(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The service's own functions in a template (CDK's helper functions have other handlers). */
export function applicationFunctions(t: Template): unknown[] {
  return Object.values(t.findResources('AWS::Lambda::Function')).filter(
    (f) => (f as { Properties: { Handler?: string } }).Properties.Handler === 'index.handler',
  );
}
