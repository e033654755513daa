import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { checkCodeRoute } from '../../functions/check-code';
import { buildRuntime, documentClient } from '../../functions/runtime';
import { sendCodeRoute } from '../../functions/send-code';
import { testTables } from '../support/harness';
import { ALL_PARTS, TEST_SECRETS, handlerFor, postEvent } from '../support/http-events';
import { FaultProxy } from '../support/fault-proxy';
import { codeIn, sensEnv, startSens, type SensEmulator } from '../support/sens';

describe('sending through SENS (the SENS emulator on loopback, real DynamoDB Local)', () => {
  let sens: SensEmulator;
  let link: FaultProxy;
  let runtimeFor: (endpoint: string) => Promise<{ send: () => ReturnType<ReturnType<typeof handlerFor>>; check: ReturnType<typeof handlerFor> }>;
  let item: () => Promise<Record<string, unknown> | undefined>;

  beforeEach(async () => {
    sens = await startSens();
    link = await FaultProxy.start(sens.url);
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
    const tables = await testTables(endpoint);
    const tableName = tables.TABLE_NAME;
    runtimeFor = async (sensUrl) => {
      const runtime = await buildRuntime({ ...TEST_SECRETS, ...tables, DYNAMODB_ENDPOINT: endpoint, ...sensEnv({ url: sensUrl }) }, {}, ALL_PARTS);
      const send = handlerFor(sendCodeRoute, runtime);
      return { send: () => send(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' })), check: handlerFor(checkCodeRoute, runtime) };
    };
    const db = documentClient({ dynamodbEndpoint: endpoint });
    item = async () => (await db.send(new GetCommand({ TableName: tableName, Key: { phoneNumber: '+821012345678' } }))).Item;
  }, 30_000);
  afterEach(async () => {
    await link?.stop();
    await sens?.close();
  }, 10_000);

  it('delivers the code SENS receives, and that code is approved', async () => {
    const { send, check } = await runtimeFor(sens.url);
    expect((await send()).status).toBe(202);
    expect(sens.refusals).toEqual([]);
    expect(sens.accepted).toEqual([expect.objectContaining({ channel: 'sms', countryCode: '82', to: '01012345678' })]);
    const code = codeIn(sens.accepted[0]?.content);
    expect((await check(postEvent('/v1/verifications/check', { phoneNumber: '+821012345678', code }))).status).toBe(200);
  });

  it('answers a SENS 500 with 502, leaves nothing, and an immediate retry succeeds', async () => {
    const { send } = await runtimeFor(sens.url);
    sens.mode = 'fail500';
    const failed = await send();
    expect(failed.status).toBe(502);
    expect(failed.json.code).toBe('sms_delivery_failed');
    expect(await item()).toBeUndefined();
    sens.mode = 'ok';
    expect((await send()).status).toBe(202);
    expect(sens.accepted).toHaveLength(1);
  });

  it('answers a hanging SENS with 504 within the timeout; the code stays active and charged (docs/limits.md)', async () => {
    const { send } = await runtimeFor(sens.url);
    sens.mode = 'hang';
    const answer = await send();
    expect(answer.status).toBe(504);
    expect(answer.json.code).toBe('sms_provider_timeout');
    expect(await item()).toMatchObject({ sendCount: 1, codeHash: expect.any(String) });
  });

  it('SENS accepts, then its body stalls: 504, and the code it carried is approved', async () => {
    const { send, check } = await runtimeFor(link.url);
    link.fault = 'stall-body';
    const answer = await send();
    expect(answer.status).toBe(504);
    expect(sens.refusals).toEqual([]);
    const code = codeIn(sens.accepted[0]?.content);
    expect((await check(postEvent('/v1/verifications/check', { phoneNumber: '+821012345678', code }))).status).toBe(200);
  });

  it('SENS accepts, then the body breaks off: 504, code kept', async () => {
    const { send } = await runtimeFor(link.url);
    link.fault = 'break-body';
    expect((await send()).status).toBe(504);
    expect(await item()).toMatchObject({ sendCount: 1, codeHash: expect.any(String) });
  });

  it('a redirect is a 502: not followed, nothing charged', async () => {
    const { send } = await runtimeFor(link.url);
    link.fault = 'redirect';
    expect((await send()).status).toBe(502);
    expect(sens.requests).toBe(0);
    expect(await item()).toBeUndefined();
  });
});
