import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { HANDLERS, handlerAsset, type HandlerName } from '../../lib/artifacts';
import { buildHandlers, loadedBytes, staticClosure } from '../../scripts/build';
import { AWS_TEST_CREDENTIALS, useAws } from '../support/aws';
import { removeSynthOutput, synthStage } from '../support/cdk';
import { streamRecord } from '../support/events';
import { memoryService } from '../support/service';
import { parsePhoneNumber } from '../../functions/domain/phone';

afterAll(removeSynthOutput);

/**
 * Budget per minified bundle: the DynamoDB client alone is ~335 KB; the phone metadata is cut
 * to the stage's countries (a few KB for KR). `npm run bench` prints the breakdown. This budget
 * catches a regression (a second SDK, the full phone metadata, a stray dependency).
 */
const BUDGET_BYTES = 520 * 1024;

let built = '';
beforeAll(async () => {
  built = mkdtempSync(join(tmpdir(), 'bundles-'));
  await buildHandlers(built);
}, 60_000);
afterAll(() => rmSync(built, { recursive: true, force: true }));

/** The folder the construct deploys for `handler` (bundle, map, cut metadata), from this test's own build. */
const deployed = (handler: HandlerName, countries: readonly string[]) => join(handlerAsset(handler, countries, built), 'index.mjs');

/** What a cold import of the bundle loads: index.mjs and its static imports, not what it imports on demand. */
const loaded = (file: string) =>
  staticClosure(file)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

/** Imports `file` in a fresh Node (no AWS, no DynamoDB: a closed port) and runs its handler on `event`. */
function invoke(file: string, event: object, env: Record<string, string> = {}): { statusCode: number; headers: Record<string, string>; body: string } {
  const script = `
    const { handler } = await import(${JSON.stringify(file)});
    process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)})));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out) as { statusCode: number; headers: Record<string, string>; body: string };
}

const sendEvent = (phoneNumber: string) => ({
  httpMethod: 'POST',
  path: '/v1/verifications',
  resource: '/v1/verifications',
  headers: { 'Content-Type': 'application/json' },
  multiValueHeaders: {},
  body: JSON.stringify({ phoneNumber }),
  isBase64Encoded: false,
  requestContext: { requestId: 'bundle-test' },
});

describe('a stage that allows KR and JP (real esbuild; the metadata beside the bundle cut to them)', () => {
  const send = () => deployed('send-code', ['KR', 'JP']);

  it.each([
    ['a Korean mobile', '010-1234-5678'],
    ['a Japanese mobile', '+81 90-1234-5678'],
  ])('knows %s: it passes every phone check and reaches DynamoDB (here a closed port: 503)', (_label, number) => {
    expect(JSON.parse(invoke(send(), sendEvent(number), { ALLOWED_COUNTRIES: 'KR,JP' }).body)).toMatchObject({ code: 'service_unavailable' });
  });

  it.each([
    ['a Japanese landline', '+81 3-1234-5678', 'invalid_phone_number'],
    ['an invalid Japanese number', '+81 90-12', 'invalid_phone_number'],
    ['a US mobile (no metadata in this bundle)', '+1 202 555 0143', 'unsupported_country'],
    ['a UK mobile', '+44 7400 123456', 'unsupported_country'],
  ])('answers %s exactly as the full metadata would', (_label, number, code) => {
    expect(JSON.parse(invoke(send(), sendEvent(number), { ALLOWED_COUNTRIES: 'KR,JP' }).body)).toMatchObject({ code });
  });
});

describe('the Lambda bundles (real esbuild)', () => {
  const bundles = HANDLERS.map((handler) => () => deployed(handler, ['KR']));

  it("are what a synthesised stack deploys: each function's asset holds a bundle and the stage's phone metadata", () => {
    const app = synthStage('dev');
    const assets = readdirSync(app.outdir).filter((d) => d.startsWith('asset.'));
    for (const files of assets.map((d) => readdirSync(join(app.outdir, d)))) {
      expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map', 'phone-metadata.json']));
      // The chunks loaded on demand ride along, each with its map.
      expect(files.filter((f) => /^chunk-.*\.mjs$/.test(f)).every((f) => files.includes(`${f}.map`))).toBe(true);
    }
    expect(assets).toHaveLength(HANDLERS.length);
    const metadata = JSON.parse(readFileSync(join(app.outdir, assets[0]!, 'phone-metadata.json'), 'utf8')) as { countries: Record<string, unknown> };
    expect(Object.keys(metadata.countries)).toEqual(['KR']);
  });

  it('keeps each function to what it uses: one bundle has the SENS client, the other the KMS client that signs', () => {
    const texts = bundles.map((f) => loaded(f()));
    const sens = texts.map((t) => t.includes('/sms/v2/services/'));
    const signer = texts.map((t) => t.includes('TrentService'));
    expect(sens.filter(Boolean)).toHaveLength(1);
    expect(signer.filter(Boolean)).toHaveLength(1);
    expect(sens.findIndex(Boolean)).not.toBe(signer.findIndex(Boolean));
  });

  it.each([0, 1])('bundle %i loads in a fresh Node process and answers an unknown path with a 404 problem', (index) => {
    const result = invoke(bundles[index]!(), {
      httpMethod: 'GET',
      path: '/nope',
      resource: '/{proxy+}',
      headers: {},
      multiValueHeaders: {},
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'bundle-test' },
    });
    expect(result.statusCode).toBe(404);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(result.headers['X-Request-Id']).toBe('bundle-test');
  });

  it.each([0, 1])('bundle %i carries the AWS SDK itself and stays within the size budget', (index) => {
    const file = bundles[index]!();
    expect(loadedBytes(file)).toBeLessThan(BUDGET_BYTES);
    // The SDK is inside (externalModules: []), not taken from the runtime.
    expect(loaded(file)).toContain('DynamoDBClient');
  });

  it('loads the End User Messaging and Lambda clients only when SMS_PROVIDER lists them: they are in the send asset, not in its cold import', () => {
    const send = deployed('send-code', ['KR']);
    const everything = readdirSync(dirname(send))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(dirname(send), f), 'utf8'))
      .join('\n');
    for (const client of ['SendTextMessage', 'X-Amz-Function-Error']) {
      expect(everything).toContain(client);
      expect(loaded(send)).not.toContain(client);
    }
  });

  it('loads the bot challenge’s verifier only where one is configured: in the send asset, not in its cold import, and it runs from there', () => {
    const send = deployed('send-code', ['KR']);
    const everything = readdirSync(dirname(send))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(dirname(send), f), 'utf8'))
      .join('\n');
    for (const marker of ['/turnstile/v0/siteverify', 'a failure without error codes']) {
      expect(everything).toContain(marker);
      expect(loaded(send)).not.toContain(marker);
    }
    const challenge = { CHALLENGE_PROVIDER: 'turnstile', CHALLENGE_SITE_KEY: '0x4AAAAAAAsite', CHALLENGE_SECRET: '0x4AAAAAAAsite-secret' };
    expect(JSON.parse(invoke(send, sendEvent('010-1234-5678'), challenge).body)).toMatchObject({ code: 'challenge_required' });
    // With a token, the chunk's verifier really calls the service (here a closed port: 503, fail closed).
    const withToken = { ...sendEvent('010-1234-5678'), body: JSON.stringify({ phoneNumber: '010-1234-5678', challengeToken: 'tok' }) };
    const answer = invoke(send, withToken, { ...challenge, CHALLENGE_ENDPOINT: 'http://127.0.0.1:9' });
    expect({ status: answer.statusCode, code: (JSON.parse(answer.body) as { code: string }).code }).toEqual({ status: 503, code: 'service_unavailable' });
  });
});

describe('the events bundle (real esbuild), in a fresh Node process as Lambda runs it', () => {
  const aws = useAws(['phone-verify-dev']);

  it('maps a settled send from its stream record and puts Code Sent on the AWS stand-in’s bus, with the number masked when asked', async () => {
    const emu = aws();
    const { store, service } = memoryService();
    await service.send(parsePhoneNumber('010-1234-5678', new Set(['KR'])));
    const event = { Records: store.changes.map((change, i) => streamRecord(change, i, Date.now())) };
    const script = `
      const { handler } = await import(${JSON.stringify(deployed('events', ['KR']))});
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, { functionName: 'events', getRemainingTimeInMillis: () => 60000 })));`;
    // Asynchronous: the stand-in answers from this process while the bundle runs in the other.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        STAGE: 'dev',
        EVENTS_PHONE_NUMBER: 'masked',
        AWS_ENDPOINT_URL_EVENTBRIDGE: emu.url,
        AWS_REGION: emu.region,
        AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
    expect(emu.events.map((e) => [e.eventBusName, e.source, e.detailType])).toEqual([['phone-verify-dev', 'phone-verify', 'Verification Code Sent']]);
    expect(emu.events[0]!.detail).toMatchObject({ phoneNumber: '+82 10-****-5678', stage: 'dev', provider: 'test' });
    expect(emu.refusals).toEqual([]);
    expect(emu.eventsDropped).toEqual([]);
  });

  it('carries the EventBridge client and none of the HTTP side (no SENS, no KMS), within the size budget', () => {
    const text = loaded(deployed('events', ['KR']));
    expect(text).toContain('PutEvents');
    expect(text.includes('/sms/v2/services/') || text.includes('TrentService')).toBe(false);
    expect(loadedBytes(deployed('events', ['KR']))).toBeLessThan(BUDGET_BYTES);
  });
});
