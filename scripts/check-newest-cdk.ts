/**
 * The documented consumer app (docs/cdk-construct.md with the events rule of docs/events.md), and
 * every documented setup (test/support/documented-setups.ts) as the construct, against the newest
 * aws-cdk-lib, constructs and cdk-nag that this package's ranges allow, fresh from the npm
 * registry: the packed package installed in an empty project, each app synthesised with cdk-nag's
 * AwsSolutions checks, which must find nothing. `npm test` proves the same app
 * offline against the versions in package-lock.json; a release of aws-cdk-lib inside the peer
 * range (a new Lambda runtime, a new cdk-nag rule) can break a new user's app without touching
 * this repository, and only this catches it. It reaches the registry, so it is not part of
 * `npm test`; `.ci/run` runs it and fails with it.
 *
 *   npx tsx scripts/check-newest-cdk.ts     (dist/ must be built: npm run build)
 *
 * Exits 0 when the app synthesises clean, 1 with the reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerApp, documentedSetupsApp } from '../test/support/consumer-app';
import { SETUPS } from '../test/support/documented-setups';

const ROOT = join(__dirname, '..');
/** One npm call (a registry lookup, an install) that runs longer than this is stuck. */
const NPM_TIMEOUT_MS = 5 * 60_000;
/** The consumer app's synthesis (cdk-nag included) takes seconds; minutes mean it hangs. */
const SYNTH_TIMEOUT_MS = 3 * 60_000;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** What a consumer's app installs beside the package: the peers in their ranges, and cdk-nag in the range the docs' checks are made with. */
const RANGES = {
  'aws-cdk-lib': pkg.peerDependencies['aws-cdk-lib']!,
  constructs: pkg.peerDependencies.constructs!,
  'cdk-nag': pkg.devDependencies['cdk-nag']!,
};

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: NPM_TIMEOUT_MS, stdio: 'pipe' });
}

/** The highest of `versions` (plain x.y.z, as npm lists them for a caret range). */
export function highest(versions: readonly string[]): string {
  const parts = (v: string) => v.split('.').map(Number);
  return [...versions].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  })[versions.length - 1]!;
}

/** The newest version of `name` in `range`, asked of the registry now (npm view lists one as a string, several as an array). */
function newest(name: string, range: string, cwd: string): string {
  const listed = JSON.parse(npm(['view', `${name}@${range}`, 'version', '--json', '--prefer-online'], cwd)) as string | string[];
  return highest([listed].flat());
}

function main(): number {
  if (!existsSync(join(ROOT, 'dist', 'cdk.cjs'))) {
    console.error('check-newest-cdk: dist/ is not built; run `npm run build` first.');
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'phone-verify-newest-cdk-'));
  const cleanUp = () => rmSync(work, { recursive: true, force: true });
  // A stop by signal leaves no temporary project behind either.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      cleanUp();
      process.exit(1);
    });
  try {
    const versions = Object.fromEntries(Object.entries(RANGES).map(([name, range]) => [name, newest(name, range, work)]));
    const described = Object.entries(versions)
      .map(([name, version]) => `${name} ${version} (${RANGES[name as keyof typeof RANGES]})`)
      .join(', ');
    console.log(`check-newest-cdk: the docs' consumer app and the ${SETUPS.length} documented setups with ${described}`);
    // --ignore-scripts: dist/ is what the package ships; the consumer gets it as it is.
    const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string }>;
    const app = join(work, 'shop');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', private: true }));
    npm(['install', '--prefer-online', join(work, packed!.filename), ...Object.entries(versions).map(([name, version]) => `${name}@${version}`)], app);
    writeFileSync(join(app, 'app.ts'), consumerApp());
    writeFileSync(join(app, 'setups.ts'), documentedSetupsApp());
    for (const [file, what, outdir] of [
      ['app.ts', "the docs' consumer app", 'cdk.out'],
      ['setups.ts', 'the documented setups', 'setups.out'],
    ] as const) {
      try {
        execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file], {
          cwd: app,
          encoding: 'utf8',
          stdio: 'pipe',
          timeout: SYNTH_TIMEOUT_MS,
          env: { ...process.env, CDK_OUTDIR: outdir, CDK_DISABLE_VERSION_CHECK: '1' },
        });
      } catch (error) {
        const { stderr, signal } = error as { stderr?: string; signal?: string };
        console.error(
          signal
            ? `check-newest-cdk: ${what}: the synthesis did not finish within ${SYNTH_TIMEOUT_MS / 1000} s (${signal})`
            : `check-newest-cdk: ${what} does not synthesise clean with ${described}:\n${String(stderr).trim()}`,
        );
        return 1;
      }
    }
    const manifest = JSON.parse(readFileSync(join(app, 'setups.out', 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const stacks = Object.values(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack').length;
    if (stacks !== SETUPS.length) {
      console.error(`check-newest-cdk: the documented setups app synthesised ${stacks} stacks, not ${SETUPS.length}`);
      return 1;
    }
    const installed = (JSON.parse(readFileSync(join(app, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')) as { version: string }).version;
    if (installed !== versions['aws-cdk-lib']) {
      console.error(`check-newest-cdk: npm installed aws-cdk-lib ${installed}, not the newest ${versions['aws-cdk-lib']}`);
      return 1;
    }
    const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'Shop.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Runtime?: string } }>;
    };
    const runtimes = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Runtime);
    console.log(
      `check-newest-cdk: clean: the consumer app and the documented setups, cdk-nag AwsSolutions found nothing unacknowledged; functions run ${[...new Set(runtimes)].join(', ')}`,
    );
    return 0;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message?: string };
    console.error(`check-newest-cdk: could not set up the consumer app: ${String(stderr || message).trim()}`);
    return 1;
  } finally {
    cleanUp();
  }
}

if (require.main === module) process.exitCode = main();
