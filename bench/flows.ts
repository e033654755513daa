import { checkCodeRoute } from '../functions/check-code';
import { lambdaHandler } from '../functions/http/api';
import { buildRuntime } from '../functions/runtime';
import { sendCodeRoute } from '../functions/send-code';
import { postEvent } from '../test/support/harness';
import { MemorySender, benchTable, fmt, summarize } from './support';

/**
 * 1,000 sequential send + check flows through both Lambda handlers on DynamoDB Local
 * (in process: the HTTP hop of `npm start` is left out, as API Gateway's is in AWS).
 */
export async function sequentialFlows(count = 1000): Promise<Record<string, string>> {
  const { dynamo, tableName } = await benchTable('bench-flows');
  try {
    const sender = new MemorySender();
    const runtime = await buildRuntime(
      { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint, TOKEN_SECRET: 'b'.repeat(32), CODE_HASH_SECRET: 'c'.repeat(32) },
      { sender },
    );
    const send = lambdaHandler(sendCodeRoute, async () => runtime);
    const check = lambdaHandler(checkCodeRoute, async () => runtime);
    const sends: number[] = [];
    const checks: number[] = [];
    const number = (i: number) => `+8210${String(10_000_000 + i).slice(-8)}`;
    for (let i = 0; i < 50; i += 1) await send(postEvent('/v1/verifications', { phoneNumber: number(900_000 + i) })); // warm-up
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const phoneNumber = number(i);
      let t = performance.now();
      const sent = await send(postEvent('/v1/verifications', { phoneNumber }));
      sends.push(performance.now() - t);
      t = performance.now();
      const checked = await check(postEvent('/v1/verifications/check', { phoneNumber, code: sender.codes.get(phoneNumber) }));
      checks.push(performance.now() - t);
      if (sent.statusCode !== 202 || checked.statusCode !== 200) throw new Error(`flow ${i} failed: ${sent.statusCode}/${checked.statusCode}`);
    }
    const total = performance.now() - started;
    const s = summarize(sends);
    const c = summarize(checks);
    return {
      flows: String(count),
      'send p50 / p99': `${fmt(s.p50)} / ${fmt(s.p99)}`,
      'check p50 / p99': `${fmt(c.p50)} / ${fmt(c.p99)}`,
      'mean per request': fmt(total / (2 * count)),
      'mean per flow': fmt(total / count),
    };
  } finally {
    await dynamo.stop();
  }
}
