import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** What the stream's records are handed to: the events function's handler. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The local stand-in for Lambda's event source mapping (docs/events.md, "Locally"): reads a
 * table's stream on DynamoDB Local (which serves the DynamoDB Streams API) shard by shard, parents
 * before children, and hands each batch to the same handler the events function runs. As in AWS,
 * a batch item failure is read again from that record on, in order, on the next poll.
 */
export class LocalStreamReader {
  private readonly done = new Set<string>();
  private readonly iterators = new Map<string, string>();
  private readonly lastSequence = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  private constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly handle: StreamHandler,
    private readonly batchSize: number,
  ) {}

  /**
   * A reader of `tableName`'s stream (none when the table has no stream): from its oldest record
   * still held, or (`latest`) from the records written after this call, as a mapping with `LATEST` would.
   */
  static async open(
    db: DynamoDBClient,
    streams: DynamoDBStreamsClient,
    tableName: string,
    handle: StreamHandler,
    options: { readonly batchSize?: number; readonly latest?: boolean } = {},
  ): Promise<LocalStreamReader | undefined> {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    // A table made before streams were part of its definition: nothing to read.
    if (!Table?.LatestStreamArn || Table.StreamSpecification?.StreamEnabled === false) return undefined;
    const reader = new LocalStreamReader(streams, Table.LatestStreamArn, handle, options.batchSize ?? 10);
    if (options.latest) {
      for (const shard of await reader.shards()) {
        const id = shard.ShardId ?? '';
        if (shard.SequenceNumberRange?.EndingSequenceNumber) {
          reader.done.add(id);
          continue;
        }
        const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: reader.streamArn, ShardId: id, ShardIteratorType: 'LATEST' }));
        if (ShardIterator) reader.iterators.set(id, ShardIterator);
      }
    }
    return reader;
  }

  /** Reads every record committed so far (and any the handler failed and then took on a retry). */
  async drain(): Promise<void> {
    // One poll at a time: a timer's poll and a caller's drain never read a shard twice over.
    while (this.polling) await this.polling;
    this.polling = this.readAll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Reads every `intervalMs` until `stop()`; a failed poll is reported and tried again next time. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    const tick = () => {
      this.drain()
        .catch(onError)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  /** Stops polling; waits for a poll under way, at most `graceMs` (shutting down never hangs on a stalled DynamoDB Local). */
  async stop(graceMs = 3000): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.polling?.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private async readAll(): Promise<void> {
    const shards = await this.shards();
    for (const shard of shards) {
      const id = shard.ShardId ?? '';
      if (this.done.has(id) || (shard.ParentShardId && !this.done.has(shard.ParentShardId) && shards.some((s) => s.ShardId === shard.ParentShardId))) continue;
      try {
        await this.readShard(id);
      } catch (error) {
        // An iterator that expired (15 minutes) or a read that failed: the next poll starts again after the last record handled.
        this.iterators.delete(id);
        throw error;
      }
    }
  }

  private async shards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** Reads one shard as far as it goes now; a closed shard that was read to its end is done. */
  private async readShard(shardId: string): Promise<void> {
    for (;;) {
      const iterator = this.iterators.get(shardId) ?? (await this.iteratorAfter(shardId, this.lastSequence.get(shardId)));
      const { Records = [], NextShardIterator } = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }));
      if (Records.length === 0) {
        if (NextShardIterator) this.iterators.set(shardId, NextShardIterator);
        else this.done.add(shardId);
        return;
      }
      const { batchItemFailures } = await this.handle({ Records: Records.map(lambdaRecord) });
      const failed = batchItemFailures[0]?.itemIdentifier;
      const handled =
        failed === undefined
          ? Records
          : Records.slice(
              0,
              Records.findIndex((r) => r.dynamodb?.SequenceNumber === failed),
            );
      const last = handled.at(-1)?.dynamodb?.SequenceNumber;
      if (last) this.lastSequence.set(shardId, last);
      if (failed !== undefined || !NextShardIterator) {
        // Read again from the first record not handled, on the next poll (as the mapping retries).
        this.iterators.delete(shardId);
        if (failed !== undefined) return;
        this.done.add(shardId);
        return;
      }
      this.iterators.set(shardId, NextShardIterator);
    }
  }

  private async iteratorAfter(shardId: string, sequenceNumber: string | undefined): Promise<string> {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(sequenceNumber ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequenceNumber } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for shard ${shardId}`);
    return ShardIterator;
  }
}

/** The Streams API's record as Lambda delivers it: images as attribute-value JSON, the commit time in epoch seconds. */
function lambdaRecord(record: StreamRecord): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...stream } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(stream as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime && { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }),
    },
  };
}

/** A Streams client for the DynamoDB Local at `endpoint` (placeholder credentials, like localClient), with hard time limits. */
export function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // A stalled DynamoDB Local fails a poll (tried again next time) instead of holding it for ever.
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
}
