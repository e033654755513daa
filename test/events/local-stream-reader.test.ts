import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LocalStreamReader } from '../../local/dynamodb-stream';

/**
 * The local reader's own lifecycle (pure logic; its reading is tested on DynamoDB Local's real
 * stream in stream.int.test.ts): stopping never waits for ever on a poll that hangs, and a table
 * without a stream gives no reader.
 */
const table = (streamEnabled: boolean) =>
  ({
    send: async () => ({ Table: { LatestStreamArn: streamEnabled ? 'arn:stream' : undefined, StreamSpecification: { StreamEnabled: streamEnabled } } }),
  }) as unknown as DynamoDBClient;

describe('LocalStreamReader', () => {
  it('stops within its grace even when a poll never comes back (a stalled DynamoDB Local)', async () => {
    let asked = 0;
    const stalled = { send: () => ((asked += 1), new Promise(() => undefined)) } as unknown as DynamoDBStreamsClient;
    const reader = await LocalStreamReader.open(table(true), stalled, 't', async () => ({ batchItemFailures: [] }));
    reader!.start(1, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toBe(1);
    const started = Date.now();
    await reader!.stop(50);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives no reader for a table without a stream', async () => {
    expect(await LocalStreamReader.open(table(false), {} as DynamoDBStreamsClient, 't', async () => ({ batchItemFailures: [] }))).toBeUndefined();
  });
});
