/**
 * What `npm run deploy` does, decided from two things only: the app's synthesised stack and the
 * stack as CloudFormation has it now. Pure, so every state it can meet is tested without AWS
 * (test/scripts/deploy-plan.test.ts); scripts/deploy.ts reads the states and runs the steps. The
 * why of each rule, and what to do by hand when the plan stops, is docs/runbook.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The stack the app synthesised (one per run of bin/phone-verify.ts). */
export interface AppStack {
  readonly stackName: string;
  /** Where it deploys, when the app pins it (a production stage must); otherwise the credentials' own. */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  /** What the stack wants once it stands: a production stage (and the account stack) are protected from deletion. */
  readonly terminationProtection: boolean;
  /** Secrets kept after the stack is gone, under a fixed name: a new create cannot make them again, it must take them over. */
  readonly keptNamedSecrets: ReadonlyArray<{ readonly logicalId: string; readonly name: string }>;
}

/** The stack as CloudFormation has it (DescribeStacks), or nothing when there is none. */
export interface DeployedStack {
  readonly status: string;
  readonly terminationProtection: boolean;
}

/** A secret of `keptNamedSecrets` that exists in the account, left by a stack that is gone. */
export interface FoundSecret {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Someone deleted it: it waits out its recovery window, and nothing can take it over meanwhile. */
  readonly scheduledForDeletion: boolean;
}

export type Step =
  /** `cdk import`: a new stack made of the kept secrets alone, their values untouched. */
  | { readonly kind: 'import'; readonly secrets: readonly FoundSecret[] }
  /**
   * `cdk deploy`; `firstDeploy`: without termination protection and the tables' deletion
   * protection, so a create that fails rolls back whole and the same command can run again.
   */
  | { readonly kind: 'deploy'; readonly firstDeploy: boolean }
  /** Nothing is deployed: a person must act first, with these commands (docs/runbook.md). */
  | { readonly kind: 'stop'; readonly reason: string; readonly commands: readonly string[] };

/** A stack CloudFormation will update (or, in a failed create's state, that the CDK CLI deletes and creates again). */
const STANDING = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
/** A create that failed: nothing of it stands (the CDK CLI deletes the stack before it creates it again). */
const CREATE_FAILED = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED']);

/** The steps of one `npm run deploy`, in order; a failed step ends the run, and running it again plans afresh. */
export function planDeploy(app: AppStack, deployed: DeployedStack | undefined, keptSecrets: readonly FoundSecret[]): Step[] {
  const where = `--stack-name ${app.stackName}${app.region ? ` --region ${app.region}` : ''}`;
  const status = deployed?.status;
  if (status !== undefined && status !== 'REVIEW_IN_PROGRESS' && status.endsWith('_IN_PROGRESS'))
    return [stop(`${app.stackName} is ${status}: another deploy or delete is running. Wait for it to end, then run this again.`, [])];
  if (status === 'UPDATE_ROLLBACK_FAILED')
    return [
      stop(`${app.stackName} is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback. Finish the rollback, then run this again.`, [
        `aws cloudformation continue-update-rollback ${where}`,
      ]),
    ];
  if (status === 'DELETE_FAILED')
    return [stop(`${app.stackName} is DELETE_FAILED: a delete of the stack stopped half-way (docs/runbook.md, "A delete that failed").`, [])];

  const standing = status !== undefined && STANDING.has(status);
  const createFailed = status !== undefined && CREATE_FAILED.has(status);
  if (createFailed && deployed!.terminationProtection)
    // Only a create made without this command leaves protection on: the CLI cannot delete it to try again.
    return [
      stop(`${app.stackName} is ${status} with termination protection on, so it cannot be deleted and created again. Turn it off, then run this again.`, [
        `aws cloudformation update-termination-protection --no-enable-termination-protection ${where}`,
      ]),
    ];
  if (status !== undefined && !standing && !createFailed && status !== 'REVIEW_IN_PROGRESS' && status !== 'DELETE_COMPLETE')
    return [stop(`${app.stackName} is ${status}, a state this command does not move on from (docs/runbook.md).`, [])];

  const steps: Step[] = [];
  if (!standing && keptSecrets.length > 0) {
    const deleted = keptSecrets.filter((s) => s.scheduledForDeletion);
    if (deleted.length > 0)
      return [
        stop(
          `${deleted.map((s) => s.name).join(', ')} ${deleted.length > 1 ? 'are' : 'is'} scheduled for deletion, so the new stack can neither take ${deleted.length > 1 ? 'them' : 'it'} over nor make ${deleted.length > 1 ? 'them' : 'it'} again. Restore ${deleted.length > 1 ? 'them' : 'it'} (the value comes back with ${deleted.length > 1 ? 'them' : 'it'}), then run this again.`,
          deleted.map((s) => `aws secretsmanager restore-secret --secret-id ${s.name}${app.region ? ` --region ${app.region}` : ''}`),
        ),
      ];
    steps.push({ kind: 'import', secrets: keptSecrets });
  }
  if (!app.terminationProtection) return [...steps, { kind: 'deploy', firstDeploy: false }];
  // Protected once it stands: a stack that never had its protecting deploy (new, failed, taken
  // over, interrupted) first gets everything without protection, then the protections.
  if (standing && deployed!.terminationProtection) return [...steps, { kind: 'deploy', firstDeploy: false }];
  return [...steps, { kind: 'deploy', firstDeploy: true }, { kind: 'deploy', firstDeploy: false }];
}

const stop = (reason: string, commands: string[]): Step => ({ kind: 'stop', reason, commands });

type Manifest = {
  artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile: string; terminationProtection?: boolean; stackName?: string } }>;
};
type TemplateResource = { Type: string; DeletionPolicy?: string; Properties?: { Name?: unknown } };

/** The one stack of a cloud assembly (`cdk synth -o dir`), as the plan needs it. */
export function readAssembly(dir: string): AppStack {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${dir}, found ${stacks.length}`);
  const [id, artifact] = stacks[0]!;
  const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
  const template = JSON.parse(readFileSync(join(dir, artifact.properties!.templateFile), 'utf8')) as { Resources: Record<string, TemplateResource> };
  return {
    stackName: artifact.properties?.stackName ?? id,
    account: account === 'unknown-account' ? undefined : account,
    region: region === 'unknown-region' ? undefined : region,
    terminationProtection: artifact.properties?.terminationProtection ?? false,
    keptNamedSecrets: Object.entries(template.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::SecretsManager::Secret' &&
          typeof r.Properties?.Name === 'string' &&
          (r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate'),
      )
      .map(([logicalId, r]) => ({ logicalId, name: r.Properties!.Name as string })),
  };
}
