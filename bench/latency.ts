import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { CHECK_PARTS, checkCodeRoute } from '../functions/check-code';
import { lambdaHandler } from '../functions/http/api';
import { buildRuntime, documentClient } from '../functions/runtime';
import { SEND_PARTS, sendCodeRoute } from '../functions/send-code';
import { proxyEvent } from '../local/proxy-event';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsTokenKeys } from '../functions/adapters/kms-token-keys';
// The vendored AWS stand-in (never edited): the KMS path measured against what the tests trust.
import { startAwsEmulator } from '../test/emulators/aws-emulator/aws-emulator.cjs';
import { MemorySender, benchTable, fmt, summarize } from './support';

/** A POST with a JSON body, as API Gateway (and npm start) deliver it to the handlers. */
const postEvent = (path: string, body: unknown) =>
  proxyEvent({ method: 'POST', path, headers: { 'content-type': ['application/json'] }, body: Buffer.from(JSON.stringify(body)) });

/** A code that differs from `code` in its first digit. */
const wrongCode = (code: string) => code.replace(/^./, (d) => String((Number(d) + 1) % 10));

export interface LatencyFigures {
  readonly table: Record<string, string>;
  /** Mean handler time per send and per check, ms (feeds the cost estimate). */
  readonly sendMs: number;
  readonly checkMs: number;
  /** Write and read units per flow, measured. */
  readonly writeUnitsPerFlow: number;
  /** Project ÷ baseline GetItem, p50 and p99, sequential and at 50 in flight. */
  readonly ratios: Record<'sendSeq' | 'checkSeq' | 'sendCon' | 'checkCon' | 'checkKms', { readonly p50: number; readonly p99: number }>;
  readonly readUnitsPerFlow: number;
}

const number = (i: number) => `+8210${String(10_000_000 + i).slice(-8)}`;

/** Records the capacity every DynamoDB call consumed (ReturnConsumedCapacity: TOTAL on each). */
function meterCapacity(db: DynamoDBDocumentClient) {
  const totals = { write: 0, read: 0, calls: 0 };
  db.middlewareStack.add(
    (next) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      let result;
      try {
        result = await next(args);
      } catch (error) {
        // A refused conditional write reports no capacity but is billed one write unit (item ≤ 1 KB).
        if ((error as Error).name === 'ConditionalCheckFailedException') totals.write += 1;
        throw error;
      }
      const used = (result.output as { ConsumedCapacity?: { WriteCapacityUnits?: number; ReadCapacityUnits?: number; CapacityUnits?: number } })
        .ConsumedCapacity;
      totals.calls += 1;
      totals.write += used?.WriteCapacityUnits ?? 0;
      totals.read += used?.ReadCapacityUnits ?? 0;
      if (used && used.WriteCapacityUnits === undefined && used.ReadCapacityUnits === undefined) totals.write += used.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return totals;
}

async function timed(fn: () => Promise<APIGatewayProxyResult>, expect: number, samples: number[]): Promise<void> {
  const t = performance.now();
  const result = await fn();
  samples.push(performance.now() - t);
  if (result.statusCode !== expect) throw new Error(`expected ${expect}, got ${result.statusCode}: ${result.body}`);
}

/** Runs `work(i)` for i < total with `concurrency` workers. */
async function pool(total: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await work(next++);
    }),
  );
}

export async function latency(): Promise<LatencyFigures> {
  const { dynamo, tableName, limitsTableName } = await benchTable('bench-latency');
  try {
    const db = documentClient({ dynamodbEndpoint: dynamo.endpoint }, {}, { connectionMs: 5_000, requestMs: 30_000 });
    const capacity = meterCapacity(db);
    const sender = new MemorySender();
    // The hourly guards on (their ceilings far above what the bench sends), or off.
    const guardedEnv = {
      TABLE_NAME: tableName,
      LIMITS_TABLE_NAME: limitsTableName,
      SMS_BUDGET_PER_HOUR: '1000000',
      MAX_SENDS_PER_PREFIX_PER_HOUR: '10000',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      CODE_HASH_SECRET: 'c'.repeat(32),
    };
    const unguardedEnv = { ...guardedEnv, SMS_BUDGET_PER_HOUR: '0', MAX_SENDS_PER_PREFIX_PER_HOUR: '0' };
    const runtime = await buildRuntime(guardedEnv, { sender, db }, { ...SEND_PARTS, ...CHECK_PARTS });
    const send = lambdaHandler(sendCodeRoute, async () => runtime);
    const check = lambdaHandler(checkCodeRoute, async () => runtime);
    // Baseline: the least a handler on this table can do, one GetItem, through the same client.
    const baseline = async (i: number): Promise<APIGatewayProxyResult> => {
      await db.send(new GetCommand({ TableName: tableName, Key: { phoneNumber: number(i) } }));
      return { statusCode: 200, body: '' };
    };
    const flow = async (i: number, sends: number[], checks: number[]) => {
      const phoneNumber = number(i);
      await timed(() => send(postEvent('/v1/verifications', { phoneNumber })), 202, sends);
      await timed(() => check(postEvent('/v1/verifications/check', { phoneNumber, code: sender.codes.get(phoneNumber) })), 200, checks);
    };

    for (let i = 0; i < 100; i += 1) await flow(900_000 + i, [], []); // warm-up: JIT, sockets

    const seqSend: number[] = [];
    const seqCheck: number[] = [];
    const before = { ...capacity };
    for (let i = 0; i < 1000; i += 1) await flow(i, seqSend, seqCheck);
    const flowWrites = (capacity.write - before.write) / 1000;
    const flowReads = (capacity.read - before.read) / 1000;

    // Capacity of a single send, a resend in the same window, a wrong and a right check.
    const c0 = { ...capacity };
    await send(postEvent('/v1/verifications', { phoneNumber: number(500_000) }));
    const sendUnits = capacity.write - c0.write;
    const c1 = { ...capacity };
    await check(postEvent('/v1/verifications/check', { phoneNumber: number(500_000), code: wrongCode(sender.codes.get(number(500_000)) ?? '') }));
    const wrongUnits = capacity.write - c1.write;
    const c2 = { ...capacity };
    await check(postEvent('/v1/verifications/check', { phoneNumber: number(500_000), code: sender.codes.get(number(500_000)) }));
    const rightUnits = capacity.write - c2.write;
    const resender = await buildRuntime({ ...guardedEnv, RESEND_COOLDOWN_SECONDS: '0' }, { sender: new MemorySender(), db }, { ...SEND_PARTS, ...CHECK_PARTS });
    const c3 = { ...capacity };
    await lambdaHandler(sendCodeRoute, async () => resender)(postEvent('/v1/verifications', { phoneNumber: number(500_000) }));
    const resendUnits = capacity.write - c3.write;

    // The hourly guards (range limit and budget): write units and added latency of a send, on vs off, interleaved.
    const unguarded = await buildRuntime(unguardedEnv, { sender: new MemorySender(), db }, { ...SEND_PARTS, ...CHECK_PARTS });
    const sendOff = lambdaHandler(sendCodeRoute, async () => unguarded);
    const guardOn: number[] = [];
    const guardOff: number[] = [];
    const c4 = { ...capacity };
    await sendOff(postEvent('/v1/verifications', { phoneNumber: number(600_000) }));
    const unguardedUnits = capacity.write - c4.write;
    for (let i = 0; i < 500; i += 1) {
      await timed(() => send(postEvent('/v1/verifications', { phoneNumber: number(700_000 + i) })), 202, guardOn);
      await timed(() => sendOff(postEvent('/v1/verifications', { phoneNumber: number(800_000 + i) })), 202, guardOff);
    }

    // The check signing in KMS (the AWS emulator on loopback) beside the local key: what the
    // signature path adds, and KMS's own time, reported rather than hidden.
    const emu = await startAwsEmulator({ region: 'ap-northeast-2', accountId: '123456789012' });
    const kmsCheck: number[] = [];
    const kmsSign: number[] = [];
    try {
      const kms = new KMSClient({ endpoint: emu.url, region: emu.region, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 });
      const keys = new KmsTokenKeys(kms, emu.kms.createKey().arn, []);
      const kmsRuntime = await buildRuntime(unguardedEnv, { sender, db, tokenKeys: keys }, { ...SEND_PARTS, ...CHECK_PARTS });
      const sendKms = lambdaHandler(sendCodeRoute, async () => kmsRuntime);
      const checkKms = lambdaHandler(checkCodeRoute, async () => kmsRuntime);
      for (let i = 0; i < 1100; i += 1) {
        const phoneNumber = number(1_000_000 + i);
        await sendKms(postEvent('/v1/verifications', { phoneNumber }));
        await timed(() => checkKms(postEvent('/v1/verifications/check', { phoneNumber, code: sender.codes.get(phoneNumber) })), 200, i < 100 ? [] : kmsCheck);
      }
      const input = new TextEncoder().encode('header.payload');
      for (let i = 0; i < 1000; i += 1) {
        const t = performance.now();
        await keys.sign(input);
        kmsSign.push(performance.now() - t);
      }
    } finally {
      await emu.close();
    }

    const seqBase: number[] = [];
    for (let i = 0; i < 1000; i += 1) await timed(() => baseline(i), 200, seqBase);

    const conSend: number[] = [];
    const conCheck: number[] = [];
    await pool(2000, 50, (i) => flow(100_000 + i, conSend, conCheck));
    const conBase: number[] = [];
    await pool(2000, 50, (i) => timed(() => baseline(i), 200, conBase));

    const s = summarize(seqSend);
    const c = summarize(seqCheck);
    const b = summarize(seqBase);
    const cs = summarize(conSend);
    const cc = summarize(conCheck);
    const cb = summarize(conBase);
    const k = summarize(kmsCheck);
    const ks = summarize(kmsSign);
    const ratio = (x: number, y: number) => `×${(x / y).toFixed(1)}`;
    return {
      table: {
        'sequential p50 / p99  send': `${fmt(s.p50)} / ${fmt(s.p99)}  (${ratio(s.p50, b.p50)} / ${ratio(s.p99, b.p99)} baseline)`,
        'sequential p50 / p99  check': `${fmt(c.p50)} / ${fmt(c.p99)}  (${ratio(c.p50, b.p50)} / ${ratio(c.p99, b.p99)} baseline)`,
        'sequential p50 / p99  baseline GetItem': `${fmt(b.p50)} / ${fmt(b.p99)}`,
        'sequential p50 / p99  check signing in KMS (emulator)': `${fmt(k.p50)} / ${fmt(k.p99)}  (${ratio(k.p50, b.p50)} / ${ratio(k.p99, b.p99)} baseline)`,
        'sequential p50 / p99  KMS Sign alone (emulator on loopback)': `${fmt(ks.p50)} / ${fmt(ks.p99)}  (real KMS in-region: a few ms more; not measurable here)`,
        '50 concurrent p50 / p99  send': `${fmt(cs.p50)} / ${fmt(cs.p99)}  (${ratio(cs.p50, cb.p50)} / ${ratio(cs.p99, cb.p99)} baseline)`,
        '50 concurrent p50 / p99  check': `${fmt(cc.p50)} / ${fmt(cc.p99)}  (${ratio(cc.p50, cb.p50)} / ${ratio(cc.p99, cb.p99)} baseline)`,
        '50 concurrent p50 / p99  baseline GetItem': `${fmt(cb.p50)} / ${fmt(cb.p99)}`,
        'write units: first send / resend in window / wrong check / right check after it': `${sendUnits} / ${resendUnits} / ${wrongUnits} / ${rightUnits}`,
        'hourly guards: write units of a first send, on / off': `${sendUnits} / ${unguardedUnits}`,
        'hourly guards: send p50 on / off (added)': `${fmt(summarize(guardOn).p50)} / ${fmt(summarize(guardOff).p50)}  (+${fmt(summarize(guardOn).p50 - summarize(guardOff).p50)})`,
        'units per flow (send + right check)': `${flowWrites.toFixed(2)} write, ${flowReads.toFixed(2)} read  (goal ≤ 6 write)`,
      },
      ratios: {
        sendSeq: { p50: s.p50 / b.p50, p99: s.p99 / b.p99 },
        checkSeq: { p50: c.p50 / b.p50, p99: c.p99 / b.p99 },
        sendCon: { p50: cs.p50 / cb.p50, p99: cs.p99 / cb.p99 },
        checkCon: { p50: cc.p50 / cb.p50, p99: cc.p99 / cb.p99 },
        checkKms: { p50: k.p50 / b.p50, p99: k.p99 / b.p99 },
      },
      sendMs: s.mean,
      checkMs: c.mean,
      writeUnitsPerFlow: flowWrites,
      readUnitsPerFlow: flowReads,
    };
  } finally {
    await dynamo.stop();
  }
}
