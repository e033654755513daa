import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerApp } from './support/consumer-app';

/**
 * The package as a stranger gets it: `npm pack`, then `npm install` of the tarball in an empty
 * project, offline. No access to this repo's sources or its node_modules, except the peers a
 * CDK app brings itself (aws-cdk-lib, constructs, cdk-nag), linked in from here.
 */
const ROOT = join(__dirname, '..');
const NPM_TIMEOUT_MS = 120_000;
/** A child Node (a require, a type check) that runs longer than this is stuck: killed, so the run fails instead of hanging. */
const NODE_TIMEOUT_MS = 60_000;
let work = '';
let tarball = '';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout: NPM_TIMEOUT_MS,
    stdio: 'pipe',
  });
}

/** An empty project with the packed package installed, as `npm i phone-verify` would. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  npm(['install', tarball], dir);
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'phone-verify-pack-'));
  // --ignore-scripts: the suite already built dist/ (npm test); a rebuild here would race the other tests reading it.
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string }>;
  tarball = join(work, packed!.filename);
}, NPM_TIMEOUT_MS);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install of the packed package', () => {
  let dir = '';
  beforeAll(() => {
    dir = project('backend');
  }, NPM_TIMEOUT_MS);

  it('adds that one package and nothing else (the handlers, jose and openapi-fetch are bundled; the CDK peers are optional)', () => {
    const installed = readdirSync(join(dir, 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed).toEqual(['phone-verify']);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((p) => p !== '')).toEqual(['node_modules/phone-verify']);
  });

  it('gives a backend the verifier and a web or Node app the client, both to require() and import', () => {
    const script = (type: 'commonjs' | 'module') =>
      type === 'commonjs'
        ? "const v = require('phone-verify'); const c = require('phone-verify/client'); console.log(typeof v.verifyPhoneToken, typeof c.createPhoneVerifyClient)"
        : "const v = await import('phone-verify'); const c = await import('phone-verify/client'); console.log(typeof v.verifyPhoneToken, typeof c.createPhoneVerifyClient)";
    for (const type of ['commonjs', 'module'] as const) {
      expect(
        execFileSync(process.execPath, [`--input-type=${type}`, '-e', script(type)], { cwd: dir, encoding: 'utf8', timeout: NODE_TIMEOUT_MS }).trim(),
      ).toBe('function function');
    }
  });

  it('ships what the exports name and no sources, tests or build tooling', () => {
    const pkg = join(dir, 'node_modules', 'phone-verify');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string> | string>;
      dependencies?: object;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
    const targets = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)));
    expect(targets.filter((t) => !existsSync(join(pkg, t)))).toEqual([]);
    expect(readdirSync(pkg).sort()).toEqual(['LICENSE', 'README.ko.md', 'README.md', 'dist', 'package.json']);
  });
});

/** The consumer app the docs give (docs/cdk-construct.md, and the events rule of docs/events.md), with cdk-nag. */
const CONSUMER_APP = consumerApp();

describe("a CDK app of its own using the construct (the docs' lines)", () => {
  let dir = '';
  beforeAll(() => {
    dir = project('shop');
    // What a CDK app has anyway; linked from here because the machine is offline.
    for (const peer of ['aws-cdk-lib', 'constructs', 'cdk-nag']) symlinkSync(join(ROOT, 'node_modules', peer), join(dir, 'node_modules', peer), 'dir');
    writeFileSync(join(dir, 'app.ts'), CONSUMER_APP);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['app.ts'],
      }),
    );
  }, NPM_TIMEOUT_MS);

  it('loads the construct from CommonJS and from ESM apps alike', () => {
    for (const [type, script] of [
      ['commonjs', "console.log(typeof require('phone-verify/cdk').PhoneVerification)"],
      ['module', "const { PhoneVerification } = await import('phone-verify/cdk'); console.log(typeof PhoneVerification)"],
    ] as const) {
      expect(execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], { cwd: dir, encoding: 'utf8', timeout: NODE_TIMEOUT_MS }).trim()).toBe(
        'function',
      );
    }
  });

  it('type-checks against the shipped declarations', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: NODE_TIMEOUT_MS })).not.toThrow();
  });

  it('synthesises offline, cdk-nag AwsSolutions clean, with the prebuilt handlers and no esbuild', () => {
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    execFileSync(process.execPath, [tsx, 'app.ts'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: NPM_TIMEOUT_MS,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_OUTDIR: 'cdk.out' },
    });
    const template = JSON.parse(readFileSync(join(dir, 'cdk.out', 'Shop.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    // The docs' consumer rule: Phone Number Verified from the construct's bus to the app's own queue.
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([{ source: ['phone-verify'], 'detail-type': ['Phone Number Verified'] }]);
    expect(JSON.stringify(rules[0]!.Properties.EventBusName)).toMatch(/VerifyEventsBus/);
    expect(JSON.stringify(rules[0]!.Properties.Targets)).toMatch(/Verified/);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.Runtime, f.Properties.Handler])).toEqual([
      ['nodejs24.x', 'index.handler'],
      ['nodejs24.x', 'index.handler'],
      ['nodejs24.x', 'index.handler'],
    ]);
    const assets = readdirSync(join(dir, 'cdk.out')).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(3);
    for (const a of assets) expect(readdirSync(join(dir, 'cdk.out', a))).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map', 'phone-metadata.json']));
    expect(existsSync(join(dir, 'node_modules', 'esbuild'))).toBe(false);
    // cdk-nag found nothing it was not told about (app.synth() throws on a finding: next test).
    const report = JSON.parse(readFileSync(join(dir, 'cdk.out', 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });

  it('really runs cdk-nag: the same app with one careless table of its own fails the synth', () => {
    const careless = CONSUMER_APP.replace(
      'app.synth();',
      "import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';\nnew Table(stack, 'Careless', { partitionKey: { name: 'k', type: AttributeType.STRING } });\napp.synth();",
    );
    writeFileSync(join(dir, 'careless.ts'), careless);
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    let output = '';
    try {
      execFileSync(process.execPath, [tsx, 'careless.ts'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: NPM_TIMEOUT_MS,
        env: { ...process.env, CDK_OUTDIR: 'cdk.out' },
      });
    } catch (error) {
      output = String((error as { stderr?: string }).stderr);
    }
    expect(output).toContain('AwsSolutions-DDB3');
    expect(output).toContain('Shop/Careless');
    expect(output).not.toContain('Shop/Verify');
  });
});
