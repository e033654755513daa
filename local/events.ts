import { readEventsConfig } from '../functions/config';
import type { LifecycleEvent } from '../functions/domain/lifecycle-events';
import { eventContext, eventsHandler } from '../functions/events-handler';
import { LocalStreamReader, localStreamsClient } from './dynamodb-stream';
import { localClient } from './dynamodb-local';

/** How often `npm start` reads the stream: a change shows within about this long. */
const POLL_MS = 300;

/**
 * `npm start`'s lifecycle events (docs/events.md, "Locally"): the verifications table's stream on
 * DynamoDB Local, read by the local mapping and handled by the events function's own code, each
 * event printed with the number masked instead of put on a bus.
 */
export async function printLifecycleEvents(endpoint: string, tableName: string, write: (text: string) => void): Promise<LocalStreamReader | undefined> {
  const { stage } = readEventsConfig(process.env);
  const printer = {
    async publish(events: readonly LifecycleEvent[]) {
      for (const { detailType, detail } of events) {
        const { version: _v, eventId: _e, verificationId: _id, stage: _s, phoneNumber, sequence, occurredAt, ...rest } = detail;
        write(`📣 event ${detailType}  ${phoneNumber}  #${sequence}  ${JSON.stringify(rest)}\n`);
      }
      return [];
    },
  };
  const handle = eventsHandler({
    publisher: printer,
    deadLetters: { send: async () => undefined },
    // Masked whatever EVENTS_PHONE_NUMBER says: this is a terminal, not an account's bus.
    context: eventContext({ stage, phoneNumber: 'masked' }),
  });
  // From now on: a long-running DynamoDB Local's history is not news.
  const reader = await LocalStreamReader.open(
    localClient(endpoint),
    localStreamsClient(endpoint),
    tableName,
    (event) => handle(event, { functionName: 'events', getRemainingTimeInMillis: () => 60_000 } as never),
    { latest: true },
  );
  reader?.start(POLL_MS, (error) => write(`events: could not read the stream (tried again): ${(error as Error).message}\n`));
  return reader;
}
