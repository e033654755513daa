import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CHECK_PARTS, checkCodeRoute } from '../../functions/check-code';
import type { Clock, SmsMessage, SmsReceipt, SmsSender, VerificationRecord } from '../../functions/domain/ports';
import { SmsDeliveryError, SmsTimeoutError } from '../../functions/domain/ports';
import { lambdaHandler, type Route } from '../../functions/http/api';
import { buildRuntime, documentClient, type RuntimeParts, type ServiceRuntime } from '../../functions/runtime';
import { SEND_PARTS, sendCodeRoute } from '../../functions/send-code';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import { LIMITS_TABLE } from '../../functions/adapters/table-definition';
import { CodeHasher } from '../../functions/domain/code';
import { ensureTable, localClient } from '../../local/dynamodb-local';
import { proxyEvent } from '../../local/proxy-event';

const HOUR = 3_600_000;

/**
 * A clock the test moves by hand. It starts on a whole hour a day after the real time: DynamoDB
 * Local really deletes items whose TTL lies in the real past, so a fixed date that has since
 * passed made items vanish between two sends of one test (a flaky daily-cap count).
 */
export class TestClock implements Clock {
  constructor(public current = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Records every message; can be told to refuse or time out. */
export class RecordingSender implements SmsSender {
  readonly messages: SmsMessage[] = [];
  mode: 'ok' | 'refuse' | 'timeout' = 'ok';
  async send(message: SmsMessage): Promise<SmsReceipt> {
    if (this.mode === 'refuse') throw new SmsDeliveryError('refused by test');
    this.messages.push(message);
    if (this.mode === 'timeout') throw new SmsTimeoutError('timed out in test');
    return { providerRequestId: `test-${this.messages.length}` };
  }
  /** The code in the last message sent to `e164`. */
  lastCode(e164 = '+821012345678'): string {
    const message = this.messages.filter((m) => m.to.e164 === e164).at(-1);
    const code = message?.text.match(/\[([0-9]+)\]/)?.[1];
    if (!code) throw new Error(`no code was sent to ${e164}`);
    return code;
  }
}

/** Both routes' parts in one runtime: tests drive sends and checks through it. */
export const ALL_PARTS: RuntimeParts = { ...SEND_PARTS, ...CHECK_PARTS };

export const TEST_SECRETS = {
  TOKEN_SECRET: 'test-token-secret-0123456789abcdefghij',
  CODE_HASH_SECRET: 'test-code-hash-secret-0123456789abcdef',
};

export interface Harness {
  readonly runtime: ServiceRuntime;
  readonly clock: TestClock;
  readonly sender: RecordingSender;
  readonly tableName: string;
  /** The store on this harness's table (for scenarios below the HTTP layer, e.g. a crash mid-send). */
  readonly store: DynamoVerificationStore;
  /** The keyed hash the runtime stores codes with (the same secret). */
  readonly hasher: CodeHasher;
  send(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  check(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** The item as stored (test-only read). */
  item(e164?: string): Promise<VerificationRecord | undefined>;
}

/** A fresh verifications table and limits table in the DynamoDB Local at `endpoint`, as the variables that name them. */
export async function testTables(endpoint: string): Promise<{ TABLE_NAME: string; LIMITS_TABLE_NAME: string }> {
  const id = randomUUID();
  const names = { TABLE_NAME: `verifications-${id}`, LIMITS_TABLE_NAME: `limits-${id}` };
  await ensureTable(localClient(endpoint), names.TABLE_NAME);
  await ensureTable(localClient(endpoint), names.LIMITS_TABLE_NAME, LIMITS_TABLE);
  return names;
}

/** A runtime on fresh tables in the shared DynamoDB Local, with a test clock and sender. */
export async function dynamoHarness(env: Record<string, string> = {}): Promise<Harness> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT unset: run integration tests through jest (globalSetup starts DynamoDB Local)');
  const tables = await testTables(endpoint);
  const tableName = tables.TABLE_NAME;
  const clock = new TestClock();
  const sender = new RecordingSender();
  // Tests check rules, not latency: one client carrying hundreds of concurrent requests to a
  // DynamoDB Local on a busy machine must not turn slowness into 503s (a Lambda never does that).
  const db = documentClient({ dynamodbEndpoint: endpoint }, {}, { connectionMs: 10_000, requestMs: 30_000 });
  const runtime = await buildRuntime({ ...TEST_SECRETS, ...tables, DYNAMODB_ENDPOINT: endpoint, ...env }, { clock, sender, db }, ALL_PARTS);
  const send = handlerFor(sendCodeRoute, runtime);
  const check = handlerFor(checkCodeRoute, runtime);
  return {
    runtime,
    clock,
    sender,
    tableName,
    store: new DynamoVerificationStore(db, tableName),
    hasher: new CodeHasher(TEST_SECRETS.CODE_HASH_SECRET),
    send: (body, headers) => send(postEvent('/v1/verifications', body, headers)),
    check: (body, headers) => check(postEvent('/v1/verifications/check', body, headers)),
    item: async (e164 = '+821012345678') => (await db.send(new GetCommand({ TableName: tableName, Key: { phoneNumber: e164 } }))).Item as VerificationRecord | undefined,
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, unknown>;
}

/** A Lambda handler for `route` bound to `runtime`, answering parsed responses. */
export function handlerFor(route: Route, runtime: ServiceRuntime): (event: APIGatewayProxyEvent) => Promise<HttpAnswer> {
  const handler = lambdaHandler(route, async () => runtime);
  return async (event) => parseResult(await handler(event));
}

export function parseResult(result: APIGatewayProxyResult): HttpAnswer {
  return { status: result.statusCode, headers: result.headers as Record<string, string>, json: JSON.parse(result.body) as Record<string, unknown> };
}

/** An API Gateway REST proxy event, as the stack's routes deliver it (`local/proxy-event.ts`). */
export function apiEvent(options: { path: string; method?: string; body?: string | null; headers?: Record<string, string>; base64?: boolean; multiValueHeaders?: Record<string, string[]> }): APIGatewayProxyEvent {
  const headers = options.multiValueHeaders ?? Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, [v]]));
  const body = options.body ? Buffer.from(options.body, options.base64 ? 'base64' : 'utf8') : undefined;
  return proxyEvent({ method: options.method ?? 'POST', path: options.path, headers, body });
}

export function postEvent(path: string, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return apiEvent({ path, body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
}

/** A code of the same length that is certainly not `code`. */
export function wrong(code: string): string {
  return code.replace(/^./, (d) => String((Number(d) + 1) % 10));
}
