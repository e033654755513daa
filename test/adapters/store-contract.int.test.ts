import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAbuseCounters } from '../../functions/adapters/dynamodb-counters';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import type { VerificationRecord } from '../../functions/domain/ports';
import { documentClient } from '../../functions/runtime';
import { NUMBER, abuseCountersContract, verificationStoreContract } from '../contracts/ports';
import { testTables } from '../support/harness';
import { InMemoryAbuseCounters, InMemoryVerificationStore } from '../support/memory-store';

/** The ports' contracts (test/contracts/ports.ts) on every implementation: in memory and DynamoDB Local. */
const db = () => documentClient({ dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT ?? '' }, {}, { connectionMs: 10_000, requestMs: 30_000 });

verificationStoreContract('in memory', async () => {
  const store = new InMemoryVerificationStore();
  return { store, item: async () => store.items.get(NUMBER) };
});

verificationStoreContract('DynamoDB Local', async () => {
  const { TABLE_NAME } = await testTables(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
  const client = db();
  return {
    store: new DynamoVerificationStore(client, TABLE_NAME),
    item: async () => (await client.send(new GetCommand({ TableName: TABLE_NAME, Key: { phoneNumber: NUMBER } }))).Item as VerificationRecord | undefined,
  };
});

abuseCountersContract('in memory', async () => {
  const counters = new InMemoryAbuseCounters();
  return { counters, expiry: async (bucket) => counters.expiries.get(bucket) };
});

abuseCountersContract('DynamoDB Local', async () => {
  const { LIMITS_TABLE_NAME } = await testTables(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
  const client = db();
  return {
    counters: new DynamoAbuseCounters(client, LIMITS_TABLE_NAME),
    expiry: async (bucket) => {
      const found = (await client.send(new GetCommand({ TableName: LIMITS_TABLE_NAME, Key: { bucket }, ConsistentRead: true }))).Item as
        { ttl?: number } | undefined;
      return found?.ttl === undefined ? undefined : found.ttl * 1000;
    },
  };
});
