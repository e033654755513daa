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
} as const;

/** CreateTable input for `tableName` (on-demand, like the stack). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: VERIFICATION_TABLE.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: VERIFICATION_TABLE.partitionKey, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
