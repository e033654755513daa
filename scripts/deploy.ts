/**
 * `npm run deploy -- -c stage=prod` (or `STAGE=prod npm run deploy`; `-c setup=account` for the
 * account stack): one command for a first deploy, a retry after a failure, and every deploy
 * after. It synthesises the app, asks CloudFormation what stands, and runs what
 * scripts/deploy-plan.ts decides (docs/deploy.md, docs/runbook.md):
 * - a production stack that never had its protecting deploy is created without termination and
 *   deletion protection (`-c firstDeploy=true`: a failed create rolls back whole, so the same
 *   command simply runs again), then deployed once more with both;
 * - secrets a destroyed stack kept under a fixed name are taken over with `cdk import`, values
 *   untouched, before the rest is created;
 * - every deploy passes `--import-existing-resources`, so CloudFormation adopts what a destroyed
 *   stack kept under a fixed name and can import by that name (the WAF's log group);
 * - a stack in a state it cannot move on from stops the run with the commands that free it.
 * Other arguments go to `cdk deploy` as they are (`--require-approval never`, `--profile …`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { planDeploy, readAssembly, type AppStack, type DeployedStack, type FoundSecret, type Step } from './deploy-plan';

/** What the run reads and runs; scripts/deploy.ts's own are below, the tests give their own. */
export interface DeployPorts {
  /** `cdk <args>`; throws when it exits non-zero. */
  cdk(args: string[]): void;
  /** The stack as CloudFormation has it, or undefined when there is none. */
  describeStack(app: AppStack): Promise<DeployedStack | undefined>;
  /** Those of the app's kept secrets that exist in the account. */
  findSecrets(app: AppStack): Promise<FoundSecret[]>;
  log(line: string): void;
  /** A fresh folder for a cloud assembly. */
  tempDir(): string;
}

/** The arguments `cdk synth` takes from the command line (the app's context and the profile); the rest are `cdk deploy`'s. */
export function synthArguments(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if ((a === '-c' || a === '--context' || a === '--profile') && i + 1 < args.length) kept.push(a, args[(i += 1)]!);
    else if (/^--(context|profile)=/.test(a)) kept.push(a);
  }
  return kept;
}

/** The command line with the stage named: `-c stage=…` as given, else `STAGE`, else dev. */
export function withStage(args: readonly string[], stage: string | undefined): string[] {
  const named = args.some((a, i) => /^(--context=)?stage=/.test(a) || ((args[i - 1] === '-c' || args[i - 1] === '--context') && a.startsWith('stage=')));
  return named ? [...args] : [...args, '-c', `stage=${stage || 'dev'}`];
}

function describe(step: Step, app: AppStack): string {
  switch (step.kind) {
    case 'import':
      return `take over ${step.secrets.map((s) => s.name).join(', ')}, kept by a stack that is gone: cdk import, values untouched`;
    case 'deploy':
      return step.firstDeploy
        ? `deploy ${app.stackName} without termination and deletion protection, so a failure rolls back whole`
        : `deploy ${app.stackName}${app.terminationProtection ? ' with termination and deletion protection' : ''}`;
    case 'stop':
      return step.reason;
  }
}

/** One `npm run deploy`: synthesise, plan, run. Resolves to the exit code. */
export async function deploy(args: readonly string[], ports: DeployPorts): Promise<number> {
  const synth = (extra: string[]) => {
    const dir = ports.tempDir();
    ports.cdk(['synth', ...synthArguments(args), ...extra, '--quiet', '--output', dir]);
    return dir;
  };
  const protectedAssembly = synth([]);
  const app = readAssembly(protectedAssembly);
  const deployed = await ports.describeStack(app);
  const kept = deployed && !['REVIEW_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED'].includes(deployed.status) ? [] : await ports.findSecrets(app);
  const steps = planDeploy(app, deployed, kept);
  ports.log(`${app.stackName}: ${deployed ? deployed.status + (deployed.terminationProtection ? ', termination protection on' : '') : 'no such stack yet'}`);
  steps.forEach((step, i) => ports.log(`  ${i + 1}. ${describe(step, app)}`));
  const stopped = steps.find((s) => s.kind === 'stop');
  if (stopped?.kind === 'stop') {
    for (const command of stopped.commands) ports.log(`     ${command}`);
    ports.log('Nothing was deployed. docs/runbook.md says more.');
    return 1;
  }
  const firstAssembly = steps.some((s) => s.kind === 'import' || (s.kind === 'deploy' && s.firstDeploy)) ? synth(['-c', 'firstDeploy=true']) : undefined;
  for (const [i, step] of steps.entries()) {
    ports.log(`${i + 1}/${steps.length}: ${describe(step, app)}`);
    if (step.kind === 'import') {
      const mapping = Object.fromEntries(step.secrets.map((s) => [s.logicalId, { Id: s.arn }]));
      ports.cdk(['import', app.stackName, '--app', firstAssembly!, '--resource-mapping-inline', JSON.stringify(mapping)]);
    } else if (step.kind === 'deploy') {
      const assembly = step.firstDeploy ? firstAssembly! : protectedAssembly;
      ports.cdk(['deploy', app.stackName, '--app', assembly, '--import-existing-resources', ...args]);
    }
  }
  return 0;
}

/** The ports of a real run: the CDK CLI of this repository and the operator's AWS credentials. */
function realPorts(args: readonly string[]): DeployPorts & { cleanUp(): void } {
  const dirs: string[] = [];
  const profileAt = args.findIndex((a) => a === '--profile');
  const profile = profileAt >= 0 ? args[profileAt + 1] : args.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
  if (profile) process.env.AWS_PROFILE = profile;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const clientConfig = (app: AppStack) => ({ ...(app.region && { region: app.region }), maxAttempts: 3 });
  return {
    cdk: (cdkArgs) => {
      execFileSync(process.execPath, [require.resolve('aws-cdk/bin/cdk'), ...cdkArgs], {
        stdio: 'inherit',
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      });
    },
    describeStack: async (app) => {
      try {
        const { Stacks } = await new CloudFormationClient(clientConfig(app)).send(new DescribeStacksCommand({ StackName: app.stackName }));
        const stack = Stacks?.[0];
        return stack ? { status: String(stack.StackStatus), terminationProtection: stack.EnableTerminationProtection === true } : undefined;
      } catch (error) {
        // DescribeStacks answers a missing stack with a ValidationError "… does not exist".
        if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    findSecrets: async (app) => {
      const client = new SecretsManagerClient(clientConfig(app));
      const found: FoundSecret[] = [];
      for (const { logicalId, name } of app.keptNamedSecrets) {
        try {
          const secret = await client.send(new DescribeSecretCommand({ SecretId: name }));
          found.push({ logicalId, name, arn: secret.ARN!, scheduledForDeletion: secret.DeletedDate !== undefined });
        } catch (error) {
          if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        }
      }
      return found;
    },
    log: (line) => console.log(line),
    tempDir: () => {
      const dir = mkdtempSync(join(tmpdir(), 'phone-verify-deploy-'));
      dirs.push(dir);
      return dir;
    },
    cleanUp: () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
  };
}

if (require.main === module) {
  const args = withStage(process.argv.slice(2), process.env.STAGE);
  const ports = realPorts(args);
  deploy(args, ports)
    .then(
      (code) => (process.exitCode = code),
      (error: Error) => {
        console.error(`npm run deploy: ${error.message} (docs/runbook.md)`);
        process.exitCode = 1;
      },
    )
    .finally(() => ports.cleanUp());
}
