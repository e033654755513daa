import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lifecycleEvents, type DeadLetters, type EventContext, type LifecycleEvent } from './domain/lifecycle-events';
import { maskE164 } from './domain/phone';
import type { VerificationRecord } from './domain/ports';
import type { EventsConfig } from './config';
import { logger } from './adapters/observability';

export interface EventsHandlerDeps {
  readonly publisher: { publish(events: readonly LifecycleEvent[]): Promise<LifecycleEvent[]> };
  readonly deadLetters: DeadLetters;
  readonly context: EventContext;
}

/**
 * The events function (docs/data-model.md, "From a committed change to events"): each stream
 * record of the verifications table becomes its lifecycle events, published in the order of the
 * records. Powertools' batch utility keeps the partial batch response; records are processed one
 * after another, and once one fails every later record of the batch fails too, unpublished, so
 * the stream's retry (which starts again at the first failed record) never reorders a number's
 * events. Events still refused after the publisher's rounds go whole to the dead-letter queue and
 * the record is acknowledged; a record fails only when even that hand-over fails.
 */
export function eventsHandler(deps: EventsHandlerDeps): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  return async (event, context) => {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    let failedEarlier = false;
    const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
      if (failedEarlier) throw new Error('an earlier record of this batch failed: left for the retry, in order');
      try {
        const events = lifecycleEvents(changeOf(record), deps.context);
        if (events.length === 0) return;
        const refused = await deps.publisher.publish(events);
        if (refused.length > 0) {
          await deps.deadLetters.send(refused);
          logger.error('events not published after every round: handed to the dead-letter queue', { eventIds: refused.map((e) => e.detail.eventId) });
        }
      } catch (error) {
        failedEarlier = true;
        throw error;
      }
    };
    return processPartialResponse(event, handleRecord, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  };
}

/** How the events of this environment name it and show a number. */
export function eventContext(config: Pick<EventsConfig, 'stage' | 'phoneNumber'>): EventContext {
  return { stage: config.stage, phoneNumber: config.phoneNumber === 'masked' ? maskE164 : (e164) => e164 };
}

/** A stream record's images as items, and when DynamoDB committed the change. */
function changeOf(record: DynamoDBRecord) {
  const image = (value: Record<string, unknown> | undefined) =>
    value ? (unmarshall(value as Record<string, AttributeValue>) as VerificationRecord) : undefined;
  const stream = record.dynamodb;
  return {
    oldImage: image(stream?.OldImage),
    newImage: image(stream?.NewImage),
    // ApproximateCreationDateTime: epoch seconds (DynamoDB Streams API reference, StreamRecord).
    committedAt: (stream?.ApproximateCreationDateTime ?? 0) * 1000,
  };
}
