import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the verifications table, used by the CDK stack, the local server and the
 * integration tests so the three cannot drift.
 */
export const VERIFICATION_TABLE = {
  /** Partition key: the E.164 phone number. No sort key: one item per number. */
  partitionKey: 'phoneNumber',
  /** Epoch seconds; DynamoDB TTL deletes expired items (late; expiry is enforced in every condition). */
  ttlAttribute: 'ttl',
  /** Every committed change, old and new image, feeds the events function (docs/events.md). */
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

/**
 * The abuse counters (range limit, hourly budget): one item per counter and clock hour, e.g.
 * `budget#2026-12-01T13`, in a table of their own so the verifications keep one item per number.
 */
export const LIMITS_TABLE = {
  partitionKey: 'bucket',
  ttlAttribute: 'ttl',
} as const;

/** A table's key and TTL attribute: everything the stack and the local server need to create it. */
export type TableDefinition = typeof VERIFICATION_TABLE | typeof LIMITS_TABLE;

/** CreateTable input for `tableName` (on-demand, like the stack). */
export function createTableInput(tableName: string, definition: TableDefinition = VERIFICATION_TABLE): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: definition.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: definition.partitionKey, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...('stream' in definition && { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }),
  };
}
