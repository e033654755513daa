import { randomUUID } from 'node:crypto';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import type { SendPlan, TestCode, VerificationRecord, VerificationStore } from '../../functions/domain/ports';
import { documentClient } from '../../functions/runtime';
import { testTables } from '../support/harness';
import { InMemoryVerificationStore } from '../support/memory-store';

/**
 * One set of scenarios run against both stores (the pattern of Ory Kratos' persister tests): the
 * DynamoDB condition expressions and the in-memory rules the property test relies on cannot
 * drift apart without one of these failing for one store and not the other.
 */
const NOW = Date.UTC(2030, 0, 1, 9);
const NUMBER = '+821012345678';
const plan = (overrides: Partial<SendPlan> = {}): SendPlan => ({
  phoneNumber: NUMBER,
  sendId: randomUUID(),
  codeHash: 'hash-of-code',
  now: NOW,
  codeExpiresAt: NOW + 300_000,
  maxAttempts: 3,
  cooldownMs: 60_000,
  maxSendsPerWindow: 2,
  windowMs: 86_400_000,
  inFlightMs: 10_000,
  ...overrides,
});

const stores: Array<[string, () => Promise<{ store: VerificationStore; item: () => Promise<VerificationRecord | undefined> }>]> = [
  [
    'in memory',
    async () => {
      const store = new InMemoryVerificationStore();
      return { store, item: async () => store.items.get(NUMBER) };
    },
  ],
  [
    'DynamoDB Local',
    async () => {
      const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
      const { TABLE_NAME } = await testTables(endpoint);
      const db = documentClient({ dynamodbEndpoint: endpoint }, {}, { connectionMs: 10_000, requestMs: 30_000 });
      const store = new DynamoVerificationStore(db, TABLE_NAME);
      const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
      return {
        store,
        item: async () => (await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { phoneNumber: NUMBER } }))).Item as VerificationRecord | undefined,
      };
    },
  ],
];

describe.each(stores)('the VerificationStore contract (%s)', (_name, open) => {
  let store: VerificationStore;
  let item: () => Promise<VerificationRecord | undefined>;
  beforeEach(async () => {
    ({ store, item } = await open());
  });

  it('reserves a first send in a new window, and refuses a second inside the cooldown, saying why', async () => {
    const first = await store.reserveSend(plan());
    expect(first).toMatchObject({ reserved: true, previous: undefined, windowStart: NOW, sendCount: 1 });
    const second = plan({ now: NOW + 1000 });
    const refused = await store.reserveSend(second);
    expect(refused).toEqual({ reserved: false, refusal: { kind: 'cooldown', retryAt: NOW + 60_000 } });
  });

  it('stops at the daily cap, and starts a new window when it ends', async () => {
    await store.reserveSend(plan({ cooldownMs: 0 }));
    expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 1 }))).toMatchObject({ reserved: true, sendCount: 2 });
    expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 2 }))).toEqual({
      reserved: false,
      refusal: { kind: 'daily_cap', retryAt: NOW + 86_400_000 },
    });
    expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 86_400_000 }))).toMatchObject({
      reserved: true,
      windowStart: NOW + 86_400_000,
      sendCount: 1,
    });
  });

  it('puts a refused send back exactly as the number was', async () => {
    await store.reserveSend(plan());
    const before = await item();
    const next = plan({ now: NOW + 60_000, cooldownMs: 60_000 });
    const reserved = await store.reserveSend(next);
    if (!reserved.reserved) throw new Error('not reserved');
    await store.releaseSend(NUMBER, next.sendId, reserved.previous);
    expect(await item()).toEqual(before);
  });

  it('spends one attempt per guess in one write; the right guess approves the code and closes it', async () => {
    await store.reserveSend(plan());
    expect(await store.recordGuess(NUMBER, 'wrong', NOW + 1)).toMatchObject({ spent: true, record: { attempts: 1, lastGuessHash: 'wrong' } });
    expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 2)).toMatchObject({ spent: true, record: { attempts: 2, lastGuessHash: 'hash-of-code' } });
    expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 3)).toMatchObject({ spent: false });
    expect((await item())?.attempts).toBe(2);
  });

  it('refuses a guess after the attempts are used up, and on an expired code', async () => {
    await store.reserveSend(plan());
    for (let i = 0; i < 3; i += 1) await store.recordGuess(NUMBER, 'wrong', NOW + 1);
    expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 2)).toMatchObject({ spent: false, current: { attempts: 3 } });
    await store.reserveSend(plan({ now: NOW + 60_000 }));
    expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 60_000 + 300_000)).toMatchObject({ spent: false });
  });

  it('replays an idempotent send, and counts it in progress until the response is stored', async () => {
    const keyed = plan({ idempotencyKey: 'k1' });
    await store.reserveSend(keyed);
    const again = plan({ idempotencyKey: 'k1', now: NOW + 100 });
    expect(await store.reserveSend(again)).toEqual({ reserved: false, refusal: { kind: 'in_progress' } });
    const response = { status: 'pending', phoneNumber: NUMBER, channel: 'sms', expiresAt: 'e', resendAvailableAt: 'r' } as const;
    await store.rememberResponse(NUMBER, keyed.sendId, response);
    expect(await store.reserveSend(again)).toEqual({ reserved: false, refusal: { kind: 'replay', response } });
  });

  const response = { status: 'pending', phoneNumber: NUMBER, channel: 'sms', expiresAt: 'e', resendAvailableAt: 'r' } as const;
  const testCode = (overrides: Partial<TestCode> = {}): TestCode => ({
    phoneNumber: NUMBER,
    sendId: randomUUID(),
    codeHash: 'fixed',
    now: NOW,
    codeExpiresAt: NOW + 300_000,
    maxAttempts: 3,
    inFlightMs: 10_000,
    response,
    ...overrides,
  });

  it('stores a test number’s code without touching the counters', async () => {
    expect(await store.storeTestCode(testCode())).toBeUndefined();
    const stored = await item();
    expect(stored).toMatchObject({ codeHash: 'fixed', attempts: 0, maxAttempts: 3 });
    expect(stored?.sendCount).toBeUndefined();
    expect(await store.recordGuess(NUMBER, 'fixed', NOW)).toMatchObject({ spent: true, record: { lastGuessHash: 'fixed' } });
  });

  it('replays a test number’s send repeated with its Idempotency-Key, and takes another key or no key as a new send', async () => {
    expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1' }))).toBeUndefined();
    const first = await item();
    expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1', now: NOW + 1_000, response: { ...response, expiresAt: 'later' } }))).toEqual({
      kind: 'replay',
      response,
    });
    expect(await item()).toEqual(first); // the replay wrote nothing
    expect(await store.storeTestCode(testCode({ idempotencyKey: 'k2', now: NOW + 2_000, codeHash: 'second' }))).toBeUndefined();
    expect(await item()).toMatchObject({ codeHash: 'second', idempotencyKey: 'k2' });
    expect(await store.storeTestCode(testCode({ now: NOW + 3_000, codeHash: 'third' }))).toBeUndefined();
    const third = await item();
    expect(third).toMatchObject({ codeHash: 'third' });
    expect(third?.idempotencyKey).toBeUndefined();
  });

  it('takes a test number’s key as new once its code was approved', async () => {
    await store.storeTestCode(testCode({ idempotencyKey: 'k1' }));
    await store.recordGuess(NUMBER, 'fixed', NOW + 1);
    expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1', now: NOW + 2, codeHash: 'again' }))).toBeUndefined();
    expect(await item()).toMatchObject({ codeHash: 'again', attempts: 0 });
  });
});
