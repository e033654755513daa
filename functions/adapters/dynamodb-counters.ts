import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AbuseCounters } from '../domain/ports';
import { unavailable } from './aws-errors';
import { ExpressionAttributes } from './dynamodb-expression';
import { LIMITS_TABLE } from './table-definition';

/** Counter items stay an hour past their own so a late give-back still finds them; TTL only cleans up. */
const KEEP_MS = 3_600_000;

/**
 * The abuse counters on DynamoDB (design: docs/data-model.md, "Abuse counters"): one item
 * per counter and hour, `ADD count 1` conditioned on the count being below the limit.
 */
export class DynamoAbuseCounters implements AbuseCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(bucket: string, max: number, expiresAt: number, signal?: AbortSignal): Promise<boolean> {
    const x = new ExpressionAttributes<'count' | 'ttl'>();
    const count = x.name('count');
    return this.update(
      bucket,
      `ADD ${count} ${x.value('one', 1)} SET ${x.name('ttl')} = ${x.value('ttl', Math.ceil((expiresAt + KEEP_MS) / 1000))}`,
      `attribute_not_exists(${count}) OR ${count} < ${x.value('max', max)}`,
      x,
      signal,
    );
  }

  async giveBack(bucket: string, signal?: AbortSignal): Promise<void> {
    const x = new ExpressionAttributes<'count'>();
    const count = x.name('count');
    await this.update(bucket, `ADD ${count} ${x.value('minusOne', -1)}`, `${count} > ${x.value('zero', 0)}`, x, signal); // false: nothing to hand back
  }

  /** One conditional UpdateItem on `bucket`: false when the condition refused it. */
  private async update(bucket: string, update: string, condition: string, x: ExpressionAttributes<string>, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LIMITS_TABLE.partitionKey]: bucket },
          UpdateExpression: update,
          ConditionExpression: condition,
          ...x.forCommand(),
        }),
        signal ? { abortSignal: signal } : {},
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(error);
    }
  }
}
