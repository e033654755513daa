import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readEventsConfig } from './config';
import { EventBridgePublisher } from './adapters/eventbridge-publisher';
import { SqsDeadLetters } from './adapters/sqs-dead-letters';
import { DYNAMODB_TIMEOUTS } from './adapters/dynamodb-timeouts';
import { eventContext, eventsHandler } from './events-handler';

/**
 * The events function (docs/events.md): the verifications table's stream in, lifecycle events on
 * the environment's bus out. Clients are made once per container. The publisher does the
 * retrying (rounds with backoff, exactly the failed entries), so the SDK makes one attempt a call.
 */
const config = readEventsConfig(process.env);
const requestHandler = { connectionTimeout: DYNAMODB_TIMEOUTS.connectionMs, requestTimeout: DYNAMODB_TIMEOUTS.requestMs, throwOnRequestTimeout: true };

export const handler = eventsHandler({
  publisher: new EventBridgePublisher(new EventBridgeClient({ maxAttempts: 1, requestHandler }), config.eventBusName),
  // The SDK's three attempts here: a repeated SendMessage only repeats a dead letter, which carries its eventId.
  deadLetters: new SqsDeadLetters(new SQSClient({ maxAttempts: 3, requestHandler }), config.deadLetterQueueUrl ?? '', config.eventBusName),
  context: eventContext(config),
});
