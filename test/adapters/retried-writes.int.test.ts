import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import { VerificationError } from '../../functions/domain/errors';
import type { VerificationRecord } from '../../functions/domain/ports';
import { documentClient } from '../../functions/runtime';
import { FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { dynamoHarness, testTables } from '../support/harness';
import { wrong } from '../support/fakes';

/**
 * Writes whose second application would change the answer (docs/data-model.md, "Retried
 * writes"): the check's decision and the streak's count. DynamoDB Local behind the fault proxy
 * applies the write and the answer never comes back; the client, like the functions', would retry
 * a timed-out call three times. One attempt goes out, one consistent read decides.
 */
const NUMBER = '+821012345678';
const NOW = Date.now() + 86_400_000;
const CODE_HASH = 'hash-of-the-code';

const isUpdate = (r: ProxiedRequest, marker: string) => r.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem' && r.body.includes(marker);
const updates = (proxy: FaultProxy) => proxy.forwarded.filter((r) => r.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem');

describe('the store, when a write applied but its answer never came', () => {
  let proxy: FaultProxy;
  let store: DynamoVerificationStore;
  let item: () => Promise<VerificationRecord | undefined>;
  beforeAll(async () => {
    proxy = await FaultProxy.start(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
  }, 10_000);
  afterAll(() => proxy?.stop(), 10_000);
  beforeEach(async () => {
    const { TABLE_NAME } = await testTables(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
    // The functions' client in AWS, retries and all, its per-attempt limit short for the test.
    const db = documentClient({ dynamodbEndpoint: proxy.url }, {}, { connectionMs: 10_000, requestMs: 700, attempts: 3 });
    store = new DynamoVerificationStore(db, TABLE_NAME);
    item = async () =>
      (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { phoneNumber: NUMBER }, ConsistentRead: true }))).Item as VerificationRecord;
    await store.reserveSend({
      phoneNumber: NUMBER,
      sendId: randomUUID(),
      codeHash: CODE_HASH,
      now: NOW,
      codeExpiresAt: NOW + 300_000,
      maxAttempts: 5,
      cooldownMs: 0,
      maxSendsPerWindow: 5,
      windowMs: 86_400_000,
      inFlightMs: 10_000,
      channel: 'sms',
    });
    proxy.reset();
  }, 30_000);

  it('the right guess: one attempt, then the read finds it applied, so the check is the approval (not a 404)', async () => {
    proxy.fault = 'hold';
    proxy.when = (r) => isUpdate(r, 'lastJti');
    const jti = randomUUID();
    const attempt = await store.recordGuess(NUMBER, CODE_HASH, NOW + 1, jti);
    expect(attempt).toMatchObject({ spent: true, record: { codeHash: CODE_HASH, lastGuessHash: CODE_HASH, lastJti: jti, attempts: 1 } });
    expect(updates(proxy)).toHaveLength(1);
  });

  it('a wrong guess: one attempt spent, not two', async () => {
    proxy.fault = 'hold';
    proxy.when = (r) => isUpdate(r, 'lastJti');
    const attempt = await store.recordGuess(NUMBER, wrong(CODE_HASH), NOW + 1, randomUUID());
    expect(attempt).toMatchObject({ spent: true, record: { attempts: 1 } });
    expect(updates(proxy)).toHaveLength(1);
    expect((await item())?.attempts).toBe(1);
  });

  it('the streak’s count: counted once, and its answer read back', async () => {
    proxy.fault = 'hold';
    proxy.when = (r) => isUpdate(r, 'lastWrongJti');
    const state = await store.countWrongGuess(NUMBER, NOW + 1, randomUUID());
    expect(state).toMatchObject({ streak: 1 });
    expect(updates(proxy)).toHaveLength(1);
    expect((await item())?.streak).toBe(1);
  });

  it('a write lost on the way (never applied): 503, sent once, and nothing spent', async () => {
    proxy.fault = 'lose';
    proxy.when = (r) => isUpdate(r, 'lastJti');
    const error = await store.recordGuess(NUMBER, CODE_HASH, NOW + 1, randomUUID()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).code).toBe('service_unavailable');
    expect(proxy.faulted).toHaveLength(1);
    expect((await item())?.attempts).toBe(0);
  });

  it('a count whose answer was lost after a later count came: 503, never counted again', async () => {
    proxy.fault = 'hold';
    let counts = 0;
    // Ours is held; another check's count lands before the read.
    proxy.when = (r) => isUpdate(r, 'lastWrongJti') && (counts += 1) === 1;
    const ours = store.countWrongGuess(NUMBER, NOW + 1, randomUUID()).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.countWrongGuess(NUMBER, NOW + 1, randomUUID());
    const error = await ours;
    expect((error as VerificationError).code).toBe('service_unavailable');
    expect((await item())?.streak).toBe(2);
  });
});

describe('POST /v1/verifications/check when DynamoDB applied the decision and the answer was lost', () => {
  it('approves the right code: 200, with the token whose jti the item (and so the Verified event) names', async () => {
    const proxy = await FaultProxy.start(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
    try {
      const h = await dynamoHarness({}, { db: documentClient({ dynamodbEndpoint: proxy.url }, {}, { connectionMs: 10_000, requestMs: 1500, attempts: 3 }) });
      expect((await h.send({ phoneNumber: NUMBER })).status).toBe(202);
      proxy.fault = 'hold';
      proxy.when = (r) => isUpdate(r, 'lastJti');
      const answer = await h.check({ phoneNumber: NUMBER, code: h.sender.lastCode() });
      expect(answer.status).toBe(200);
      const { jti } = JSON.parse(Buffer.from(String(answer.json.token).split('.')[1] ?? '', 'base64url').toString()) as { jti: string };
      expect((await h.item())?.lastJti).toBe(jti);
      expect(proxy.faulted).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });
});
