import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stageConfig, type StageOverrides } from '../../lib/config';
import { PROD_MINIMUM } from './documented-setups';
import { addNagChecks } from '../../lib/nag';
import { acknowledgeAll } from '../../lib/phone-verification';
import { PhoneVerifyStack } from '../../lib/phone-verify-stack';

/** cdk.json's context: `new App()` in a test does not read it, and feature flags change templates. */
const CDK_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

const outdirs: string[] = [];

export { PROD_MINIMUM } from './documented-setups';

/** A synthesised app: the stack, its template, and what cdk-nag found in it. The app itself is not given out: it has synthesised. */
export interface Synthesised<S extends Stack = Stack> {
  readonly stack: S;
  readonly outdir: string;
  readonly template: () => Template;
  /** The cdk-nag AwsSolutions findings nobody acknowledged, as `rule path`. */
  readonly violations: () => string[];
}

export interface SynthOptions {
  /**
   * Findings are a failure unless a test is about them: by default the synthesis throws on any
   * finding, so every template a test reads is also cdk-nag clean.
   */
  readonly allowFindings?: boolean;
}

/**
 * Builds an app with `build`, adds cdk-nag's AwsSolutions checks, and only then synthesises, once:
 * a check added after the first synthesis would never run (`App.synth()` returns the assembly it
 * made before), so this is the only way the tests synthesise. cdk.json's context is the app's, as
 * under `cdk synth`.
 */
export function synthApp<S extends Stack>(build: (app: App) => S, options: SynthOptions = {}): Synthesised<S> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk.out-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { ...CDK_CONTEXT, '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = build(app);
  addNagChecks(app);
  app.synth();
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  const violations = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)));
  if (violations.length > 0 && !options.allowFindings) throw new Error(`cdk-nag findings nobody acknowledged:\n${violations.join('\n')}`);
  let template: Template | undefined;
  return { stack, outdir, template: () => (template ??= Template.fromStack(stack)), violations: () => [...violations] };
}

/**
 * The app as `cdk synth -c stage=…` builds it (the functions' code: the prebuilt dist/handlers),
 * synthesised with cdk-nag. `leaveOut` acknowledges every accepted finding but that one (by
 * index), and so allows findings; `extend` adds to the stack before it synthesises.
 */
export function synthStage(
  stage: string,
  overrides: StageOverrides = {},
  options: SynthOptions & { leaveOut?: number; extend?: (stack: PhoneVerifyStack) => void } = {},
): Synthesised<PhoneVerifyStack> {
  const { leaveOut, extend, ...synthOptions } = options;
  return synthApp(
    (app) => {
      const config = stageConfig(stage, stage === 'prod' ? { ...PROD_MINIMUM, ...overrides } : overrides);
      const stack = new PhoneVerifyStack(app, `PhoneVerify-${stage}`, { config, acknowledgeNagFindings: leaveOut === undefined });
      if (leaveOut !== undefined) acknowledgeAll(stack.verification.nagAcknowledgements.filter((_, i) => i !== leaveOut));
      extend?.(stack);
      return stack;
    },
    { allowFindings: leaveOut !== undefined, ...synthOptions },
  );
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

/** The metrics a template's alarms are billed for: an anomaly-detection alarm counts 3, a math alarm each metric it reads, any other 1. */
export function billedAlarmMetrics(t: Template): number {
  const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{
    Properties: { Metrics?: Array<{ MetricStat?: unknown }>; ThresholdMetricId?: string };
  }>;
  return alarms
    .map((a) => (a.Properties.ThresholdMetricId ? 3 : a.Properties.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1))
    .reduce((sum, n) => sum + n, 0);
}
