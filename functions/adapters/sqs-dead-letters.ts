import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_SOURCE, type DeadLetters, type LifecycleEvent } from '../domain/lifecycle-events';

/**
 * The events function's own dead-letter queue: each event EventBridge still refused after every
 * round goes in whole, `detail` included (a stream's on-failure destination would keep only a
 * pointer to a record the stream drops after 24 hours). One message per event, its body the
 * PutEvents entry it was; a failed SendMessage throws, so the stream record fails and is tried
 * again (docs/events.md, "When an event cannot be published").
 *
 * Thin on purpose: the AWS stand-in has no SQS, so the hand-over is tested at the `DeadLetters`
 * port (test/events/events-handler.test.ts) and this adapter only by its one request's shape.
 */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly eventBusName: string,
  ) {}

  async send(events: readonly LifecycleEvent[]): Promise<void> {
    for (const event of events) await this.client.send(new SendMessageCommand(deadLetterMessage(this.queueUrl, this.eventBusName, event)));
  }
}

/** The SendMessage request for one unpublished event: the entry PutEvents refused, ready to be put again. */
export function deadLetterMessage(queueUrl: string, eventBusName: string, event: LifecycleEvent) {
  return {
    QueueUrl: queueUrl,
    // Exactly a PutEvents entry (Detail a JSON string), so `aws events put-events --entries "[<body>]"` puts it back.
    MessageBody: JSON.stringify({ Source: EVENT_SOURCE, DetailType: event.detailType, Detail: JSON.stringify(event.detail), EventBusName: eventBusName }),
    MessageAttributes: { eventId: { DataType: 'String', StringValue: event.detail.eventId } },
  };
}
