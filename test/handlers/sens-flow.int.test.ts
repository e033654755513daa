import { buildRuntime } from '../../functions/runtime';
import { checkCodeRoute } from '../../functions/check-code';
import { sendCodeRoute } from '../../functions/send-code';
import { ensureTable, localClient } from '../../local/dynamodb-local';
import { FakeSens, SENS_TEST_CREDENTIALS } from '../support/fake-sens';
import { TEST_SECRETS, handlerFor, postEvent } from '../support/harness';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/runtime';

describe('sending through SENS (fake SENS on loopback, real DynamoDB Local)', () => {
  let sens: FakeSens;
  let send: ReturnType<typeof handlerFor>;
  let check: ReturnType<typeof handlerFor>;
  let item: () => Promise<Record<string, unknown> | undefined>;

  beforeEach(async () => {
    sens = await new FakeSens().start();
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
    const tableName = `sens-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await ensureTable(localClient(endpoint), tableName);
    const runtime = await buildRuntime({
      ...TEST_SECRETS,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: endpoint,
      SMS_PROVIDER: 'sens',
      SENS_ENDPOINT: sens.endpoint,
      SENS_SERVICE_ID: SENS_TEST_CREDENTIALS.serviceId,
      SENS_ACCESS_KEY: SENS_TEST_CREDENTIALS.accessKey,
      SENS_SECRET_KEY: SENS_TEST_CREDENTIALS.secretKey,
      SENS_FROM: '02-1234-5678',
      SMS_TIMEOUT_MS: '300',
    });
    send = handlerFor(sendCodeRoute, runtime);
    check = handlerFor(checkCodeRoute, runtime);
    const db = documentClient({ dynamodbEndpoint: endpoint });
    item = async () => (await db.send(new GetCommand({ TableName: tableName, Key: { phoneNumber: '+821012345678' } }))).Item;
  });
  afterEach(() => sens.stop());

  const request = () => send(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678' }));

  it('delivers the code SENS receives, and that code is approved', async () => {
    expect((await request()).status).toBe(202);
    expect(sens.delivered).toHaveLength(1);
    expect(sens.delivered[0]).toMatchObject({ countryCode: '82', to: '01012345678', from: '0212345678' });
    const code = sens.delivered[0]?.content.match(/\[([0-9]{6})\]/)?.[1];
    expect((await check(postEvent('/v1/verifications/check', { phoneNumber: '+821012345678', code }))).status).toBe(200);
  });

  it('answers a SENS 500 with 502, leaves nothing, and an immediate retry succeeds', async () => {
    sens.mode = 'fail500';
    const failed = await request();
    expect(failed.status).toBe(502);
    expect(failed.json.code).toBe('sms_delivery_failed');
    expect(await item()).toBeUndefined();
    sens.mode = 'ok';
    expect((await request()).status).toBe(202);
  });

  it('answers a hanging SENS with 504 within the timeout; the code stays active and charged (SPEC)', async () => {
    sens.mode = 'hang';
    const started = Date.now();
    const answer = await request();
    expect(answer.status).toBe(504);
    expect(answer.json.code).toBe('sms_provider_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await item()).toMatchObject({ sendCount: 1, codeHash: expect.any(String) });
  });
});
