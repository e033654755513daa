import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planDeploy, type AppStack, type DeployedStack, type FoundSecret } from '../../scripts/deploy-plan';
import { deploy, synthArguments, withStage, type DeployPorts } from '../../scripts/deploy';

/**
 * `npm run deploy` against every stack state it can meet, stubbed: nothing here reaches AWS. What
 * it reads from a real synthesised app is tested on the templates themselves
 * (test/infra/documented-setups.slow.test.ts).
 */
const PROD: AppStack = {
  stackName: 'PhoneVerify-prod',
  account: '123456789012',
  region: 'ap-northeast-2',
  terminationProtection: true,
  keptNamedSecrets: [{ logicalId: 'VerifySecretsSensSecret937D4D33', name: 'phone-verify/prod/sens' }],
};
const DEV: AppStack = { stackName: 'PhoneVerify-dev', terminationProtection: false, keptNamedSecrets: [] };
const SENS: FoundSecret = {
  logicalId: 'VerifySecretsSensSecret937D4D33',
  name: 'phone-verify/prod/sens',
  arn: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:phone-verify/prod/sens-AbCdEf',
  scheduledForDeletion: false,
};
const stack = (status: string, terminationProtection = false): DeployedStack => ({ status, terminationProtection });
const FIRST = { kind: 'deploy', firstDeploy: true };
const PROTECTED = { kind: 'deploy', firstDeploy: false };

describe('planDeploy', () => {
  it('creates a production stack without its protections, then turns them on: a failed create rolls back whole and the same command runs again', () => {
    expect(planDeploy(PROD, undefined, [])).toEqual([FIRST, PROTECTED]);
    expect(planDeploy(PROD, stack('REVIEW_IN_PROGRESS'), [])).toEqual([FIRST, PROTECTED]);
  });

  it('retries a create that failed and rolled back (the CDK CLI deletes it first) the same way', () => {
    expect(planDeploy(PROD, stack('ROLLBACK_COMPLETE'), [])).toEqual([FIRST, PROTECTED]);
    expect(planDeploy(PROD, stack('ROLLBACK_FAILED'), [])).toEqual([FIRST, PROTECTED]);
  });

  it('finishes a stack whose protecting deploy never ran (interrupted, or its update failed), then protects it', () => {
    for (const status of ['CREATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE'])
      expect(planDeploy(PROD, stack(status, false), [])).toEqual([FIRST, PROTECTED]);
  });

  it('deploys a protected stack once, protections on', () => {
    for (const status of ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'])
      expect(planDeploy(PROD, stack(status, true), [])).toEqual([PROTECTED]);
  });

  it('deploys a development stack once, whatever stands', () => {
    expect(planDeploy(DEV, undefined, [])).toEqual([PROTECTED]);
    expect(planDeploy(DEV, stack('UPDATE_COMPLETE'), [])).toEqual([PROTECTED]);
    expect(planDeploy(DEV, stack('ROLLBACK_COMPLETE'), [])).toEqual([PROTECTED]);
  });

  it('takes over the secrets a destroyed stack kept under their fixed names before it creates the rest', () => {
    expect(planDeploy(PROD, undefined, [SENS])).toEqual([{ kind: 'import', secrets: [SENS] }, FIRST, PROTECTED]);
    expect(planDeploy(PROD, stack('ROLLBACK_COMPLETE'), [SENS])).toEqual([{ kind: 'import', secrets: [SENS] }, FIRST, PROTECTED]);
    // A standing stack owns its secrets already.
    expect(planDeploy(PROD, stack('UPDATE_COMPLETE', true), [SENS])).toEqual([PROTECTED]);
  });

  it('stops, with the command that frees it, where it cannot move on', () => {
    expect(planDeploy(PROD, undefined, [{ ...SENS, scheduledForDeletion: true }])).toEqual([
      {
        kind: 'stop',
        reason: expect.stringMatching(/^phone-verify\/prod\/sens is scheduled for deletion/),
        commands: ['aws secretsmanager restore-secret --secret-id phone-verify/prod/sens --region ap-northeast-2'],
      },
    ]);
    expect(planDeploy(PROD, stack('ROLLBACK_COMPLETE', true), [])).toEqual([
      {
        kind: 'stop',
        reason: expect.stringMatching(/ROLLBACK_COMPLETE with termination protection on/),
        commands: ['aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name PhoneVerify-prod --region ap-northeast-2'],
      },
    ]);
    expect(planDeploy(PROD, stack('UPDATE_ROLLBACK_FAILED', true), [])).toEqual([
      {
        kind: 'stop',
        reason: expect.stringMatching(/UPDATE_ROLLBACK_FAILED/),
        commands: ['aws cloudformation continue-update-rollback --stack-name PhoneVerify-prod --region ap-northeast-2'],
      },
    ]);
    for (const status of ['UPDATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS'])
      expect(planDeploy(PROD, stack(status, true), [])).toEqual([
        { kind: 'stop', reason: expect.stringMatching(/another deploy or delete is running/), commands: [] },
      ]);
    for (const status of ['DELETE_FAILED', 'UPDATE_FAILED', 'IMPORT_ROLLBACK_FAILED'])
      expect(planDeploy(PROD, stack(status, true), [])).toEqual([{ kind: 'stop', reason: expect.stringContaining(status), commands: [] }]);
  });
});

describe('npm run deploy', () => {
  let work = '';
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Stubbed ports: `cdk synth` writes a one-stack assembly (protected unless firstDeploy); every cdk call is recorded. */
  function ports(deployed: DeployedStack | undefined, found: FoundSecret[] = [], failOn?: string) {
    const calls: string[][] = [];
    const log: string[] = [];
    let dirs = 0;
    const stub: DeployPorts = {
      cdk: (args) => {
        calls.push(args);
        if (failOn && args.includes(failOn)) throw new Error(`cdk ${args[0]} failed`);
        if (args[0] !== 'synth') return;
        const dir = args[args.indexOf('--output') + 1]!;
        const first = args.includes('firstDeploy=true');
        writeFileSync(
          join(dir, 'manifest.json'),
          JSON.stringify({
            artifacts: {
              'PhoneVerify-prod': {
                type: 'aws:cloudformation:stack',
                environment: 'aws://123456789012/ap-northeast-2',
                properties: { templateFile: 't.json', terminationProtection: !first },
              },
            },
          }),
        );
        writeFileSync(
          join(dir, 't.json'),
          JSON.stringify({
            Resources: {
              VerifySecretsSensSecret937D4D33: {
                Type: 'AWS::SecretsManager::Secret',
                DeletionPolicy: 'RetainExceptOnCreate',
                Properties: { Name: 'phone-verify/prod/sens' },
              },
              VerifySecretsCodeHashSecret9F98C799: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'RetainExceptOnCreate', Properties: {} },
            },
          }),
        );
      },
      describeStack: async () => deployed,
      findSecrets: async (app) => found.filter((f) => app.keptNamedSecrets.some((k) => k.name === f.name)),
      log: (line) => log.push(line),
      tempDir: () => mkdtempSync(join(work, `assembly${(dirs += 1)}-`)),
    };
    return { stub, calls, log };
  }
  const ARGS = ['-c', 'stage=prod', '--require-approval', 'never'];

  it('creates a new production stack in two deploys from two assemblies, adopting what it can by name', async () => {
    const { stub, calls } = ports(undefined);
    expect(await deploy(ARGS, stub)).toBe(0);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['synth', '-c'],
      ['synth', '-c'],
      ['deploy', 'PhoneVerify-prod'],
      ['deploy', 'PhoneVerify-prod'],
    ]);
    // synth gets the app's context only; the second one builds the first deploy.
    expect(calls[0]).toEqual(['synth', '-c', 'stage=prod', '--quiet', '--output', expect.stringContaining('assembly1-')]);
    expect(calls[1]).toEqual(['synth', '-c', 'stage=prod', '-c', 'firstDeploy=true', '--quiet', '--output', expect.stringContaining('assembly2-')]);
    expect(calls[2]).toEqual(['deploy', 'PhoneVerify-prod', '--app', calls[1]![7], '--import-existing-resources', ...ARGS]);
    expect(calls[3]).toEqual(['deploy', 'PhoneVerify-prod', '--app', calls[0]![5], '--import-existing-resources', ...ARGS]);
  });

  it('takes over a kept SENS secret with cdk import, by its logical id and ARN, before the deploys', async () => {
    const { stub, calls } = ports(undefined, [SENS]);
    expect(await deploy(ARGS, stub)).toBe(0);
    expect(calls[2]).toEqual([
      'import',
      'PhoneVerify-prod',
      '--app',
      calls[1]![7],
      '--resource-mapping-inline',
      JSON.stringify({ VerifySecretsSensSecret937D4D33: { Id: SENS.arn } }),
    ]);
    expect(calls.slice(3).map((c) => c[0])).toEqual(['deploy', 'deploy']);
  });

  it('stops before the second deploy when the first fails: run again, and it plans from what stands', async () => {
    const { stub, calls } = ports(undefined, [], 'deploy');
    await expect(deploy(ARGS, stub)).rejects.toThrow('cdk deploy failed');
    expect(calls.filter((c) => c[0] === 'deploy')).toHaveLength(1);
  });

  it('deploys a protected stack once, from the one assembly', async () => {
    const { stub, calls } = ports(stack('UPDATE_COMPLETE', true));
    expect(await deploy(ARGS, stub)).toBe(0);
    expect(calls.map((c) => c[0])).toEqual(['synth', 'deploy']);
  });

  it('deploys nothing, printing the command that frees the stack, when it cannot move on', async () => {
    const { stub, calls, log } = ports(stack('ROLLBACK_COMPLETE', true));
    expect(await deploy(ARGS, stub)).toBe(1);
    expect(calls.map((c) => c[0])).toEqual(['synth']);
    expect(log).toContain(
      '     aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name PhoneVerify-prod --region ap-northeast-2',
    );
  });

  it('names the stage from -c stage, else STAGE, else dev; gives synth the context and profile only', () => {
    expect(withStage(['-c', 'stage=prod'], 'dev')).toEqual(['-c', 'stage=prod']);
    expect(withStage(['--context=stage=qa'], undefined)).toEqual(['--context=stage=qa']);
    expect(withStage(['--require-approval', 'never'], 'prod')).toEqual(['--require-approval', 'never', '-c', 'stage=prod']);
    expect(withStage([], undefined)).toEqual(['-c', 'stage=dev']);
    expect(synthArguments(['-c', 'stage=prod', '--require-approval', 'never', '--profile', 'ops', '--context=setup=account'])).toEqual([
      '-c',
      'stage=prod',
      '--profile',
      'ops',
      '--context=setup=account',
    ]);
  });
});
