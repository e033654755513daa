import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { VerificationRecord } from '../../functions/domain/ports';
import type { LifecycleEvent } from '../../functions/domain/lifecycle-events';
import type { DeadLetters } from '../../functions/domain/lifecycle-events';

/**
 * The events function's dead-letter port, recording: the AWS stand-in has no SQS, so the
 * hand-over of unpublished events is tested here (functions/adapters/sqs-dead-letters.ts is thin).
 */
export class RecordingDeadLetters implements DeadLetters {
  readonly received: LifecycleEvent[] = [];
  failing = false;
  async send(events: readonly LifecycleEvent[]): Promise<void> {
    if (this.failing) throw new Error('SQS unavailable in test');
    this.received.push(...events);
  }
}

/** One committed change (the in-memory store's `changes`) as the stream record Lambda would deliver. */
export function streamRecord(
  change: { oldImage: VerificationRecord | undefined; newImage: VerificationRecord | undefined },
  i: number,
  now: number,
): DynamoDBRecord {
  const image = (item: VerificationRecord | undefined) =>
    item ? (marshall(item, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage']) : undefined;
  const eventName = !change.oldImage ? 'INSERT' : !change.newImage ? 'REMOVE' : 'MODIFY';
  return {
    eventID: `event-${i}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(now / 1000),
      Keys: { phoneNumber: { S: (change.newImage ?? change.oldImage)!.phoneNumber } },
      ...(change.oldImage && { OldImage: image(change.oldImage) }),
      ...(change.newImage && { NewImage: image(change.newImage) }),
      SequenceNumber: String(1000 + i).padStart(21, '0'),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
