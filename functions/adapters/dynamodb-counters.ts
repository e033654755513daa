import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AbuseCounters } from '../domain/ports';
import { unavailable } from './dynamodb-store';
import { LIMITS_TABLE } from './table-definition';

/** Counter items stay an hour past their own so a late give-back still finds them; TTL only cleans up. */
const KEEP_MS = 3_600_000;

/**
 * The abuse counters on DynamoDB (design: ../shared/DATA-MODEL.md, "Abuse counters"): one item
 * per counter and hour, `ADD count 1` conditioned on the count being below the limit.
 */
export class DynamoAbuseCounters implements AbuseCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(bucket: string, max: number, expiresAt: number): Promise<boolean> {
    return this.update(bucket, 'ADD #count :one SET #ttl = :ttl', 'attribute_not_exists(#count) OR #count < :max', {
      ':one': 1, ':max': max, ':ttl': Math.ceil((expiresAt + KEEP_MS) / 1000),
    });
  }

  async giveBack(bucket: string): Promise<void> {
    await this.update(bucket, 'ADD #count :minusOne', '#count > :zero', { ':minusOne': -1, ':zero': 0 }); // false: nothing to hand back
  }

  /** One conditional UpdateItem on `bucket`: false when the condition refused it. */
  private async update(bucket: string, update: string, condition: string, values: Record<string, number>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LIMITS_TABLE.partitionKey]: bucket },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#count': 'count', ...(update.includes('#ttl') && { '#ttl': LIMITS_TABLE.ttlAttribute }) },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(error);
    }
  }
}
