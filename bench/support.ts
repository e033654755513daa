import { LIMITS_TABLE } from '../functions/adapters/table-definition';
import { ensureTable, localClient, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import type { SmsMessage, SmsReceipt, SmsSender } from '../functions/domain/ports';

/** Percentile of already-sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function summarize(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Keeps the last code per number in memory, like a phone would. */
export class MemorySender implements SmsSender {
  readonly provider = 'memory';
  readonly codes = new Map<string, string>();
  async send({ to, text }: SmsMessage): Promise<SmsReceipt> {
    this.codes.set(to.e164, text.match(/\[([0-9]+)\]/)?.[1] ?? '');
    return {};
  }
}

/** A DynamoDB Local with a fresh verifications table and its limits table. */
export async function benchTable(name: string): Promise<{ dynamo: DynamoDbLocal; tableName: string; limitsTableName: string }> {
  const dynamo = await startDynamoDbLocal();
  await ensureTable(localClient(dynamo.endpoint), name);
  await ensureTable(localClient(dynamo.endpoint), `${name}-limits`, LIMITS_TABLE);
  return { dynamo, tableName: name, limitsTableName: `${name}-limits` };
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
