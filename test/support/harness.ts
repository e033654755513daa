import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { checkCodeRoute, jwksRoute } from '../../functions/check-code';
import type { VerificationRecord } from '../../functions/domain/ports';
import { buildRuntime, documentClient, type RuntimeOverrides, type ServiceRuntime } from '../../functions/runtime';
import { sendCodeRoute } from '../../functions/send-code';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import { LIMITS_TABLE } from '../../functions/adapters/table-definition';
import { CodeHasher } from '../../functions/domain/code';
import { ensureTable, localClient } from '../../local/dynamodb-local';
import { RecordingSender, TestClock } from './fakes';
import { ALL_PARTS, TEST_SECRETS, apiEvent, handlerFor, postEvent, type HttpAnswer } from './http-events';

export interface Harness {
  readonly runtime: ServiceRuntime;
  readonly clock: TestClock;
  readonly sender: RecordingSender;
  readonly tableName: string;
  /** The store on this harness's table (for scenarios below the HTTP layer, e.g. a crash mid-send). */
  readonly store: DynamoVerificationStore;
  /** The keyed hash the runtime stores codes with (the same secret). */
  readonly hasher: CodeHasher;
  /** A send as API Gateway delivers it; `sourceIp` is the caller's address it saw. */
  send(body: unknown, headers?: Record<string, string>, sourceIp?: string): Promise<HttpAnswer>;
  check(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** A request to the key set route (or `path`) through the check function. */
  jwks(method?: string, headers?: Record<string, string>, path?: string): Promise<HttpAnswer>;
  /** The item as stored (test-only read). */
  item(e164?: string): Promise<VerificationRecord | undefined>;
  /** Every item in this harness's table (whatever number a request named: "stored nothing" means this is empty). */
  items(): Promise<VerificationRecord[]>;
}

/** A fresh verifications table and limits table in the DynamoDB Local at `endpoint`, as the variables that name them. */
export async function testTables(endpoint: string): Promise<{ TABLE_NAME: string; LIMITS_TABLE_NAME: string }> {
  const id = randomUUID();
  const names = { TABLE_NAME: `verifications-${id}`, LIMITS_TABLE_NAME: `limits-${id}` };
  await ensureTable(localClient(endpoint), names.TABLE_NAME);
  await ensureTable(localClient(endpoint), names.LIMITS_TABLE_NAME, LIMITS_TABLE);
  return names;
}

/** A runtime on fresh tables in the shared DynamoDB Local (or through `overrides.db`, e.g. a fault proxy), with a test clock and sender. */
export async function dynamoHarness(env: Record<string, string> = {}, overrides: Pick<RuntimeOverrides, 'tokenKeys' | 'db'> = {}): Promise<Harness> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT unset: run integration tests through jest (globalSetup starts DynamoDB Local)');
  const tables = await testTables(endpoint);
  const tableName = tables.TABLE_NAME;
  const clock = new TestClock();
  const sender = new RecordingSender();
  // Tests check rules, not latency: one client carrying hundreds of concurrent requests to a
  // DynamoDB Local on a busy machine must not turn slowness into 503s (a Lambda never does that).
  const db = overrides.db ?? documentClient({ dynamodbEndpoint: endpoint }, {}, { connectionMs: 10_000, requestMs: 30_000 });
  // Nor must the store's allowance for a send, which bounds the worst send in AWS: here most of a
  // test's minute, and still under the cooldown, so the idempotency lease made of it (plus
  // SMS_TIMEOUT_MS) ends within the minute a test waits for a key to free up, as in AWS.
  const runtime = await buildRuntime(
    { ...TEST_SECRETS, ...tables, DYNAMODB_ENDPOINT: endpoint, ...env },
    { clock, sender, db, storeAllowanceMs: 45_000, ...overrides },
    ALL_PARTS,
  );
  const send = handlerFor(sendCodeRoute, runtime);
  // The check function's handler: the check and the key set, as in AWS.
  const check = handlerFor([checkCodeRoute, jwksRoute], runtime);
  return {
    runtime,
    clock,
    sender,
    tableName,
    store: new DynamoVerificationStore(db, tableName),
    hasher: new CodeHasher(TEST_SECRETS.CODE_HASH_SECRET),
    send: (body, headers, sourceIp) => send(postEvent('/v1/verifications', body, headers, sourceIp)),
    check: (body, headers) => check(postEvent('/v1/verifications/check', body, headers)),
    jwks: (method = 'GET', headers = {}, path = '/.well-known/jwks.json') => check(apiEvent({ path, method, headers })),
    item: async (e164 = '+821012345678') =>
      (await db.send(new GetCommand({ TableName: tableName, Key: { phoneNumber: e164 } }))).Item as VerificationRecord | undefined,
    items: async () => ((await db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? []) as VerificationRecord[],
  };
}
