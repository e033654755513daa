import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters, deadLetterMessage } from '../../functions/adapters/sqs-dead-letters';
import { lifecycleEvents } from '../../functions/domain/lifecycle-events';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { memoryService } from '../support/service';

/**
 * The SQS adapter is thin on purpose (no SQS stand-in exists to test it against): what it owes is
 * a message per event that holds the whole event, ready to be put on the bus again. Pure logic,
 * checked here; the hand-over itself is tested at the port (events-handler.test.ts).
 */
async function sentEvent() {
  const { store, service } = memoryService();
  await service.send(parsePhoneNumber('010-1234-5678', new Set(['KR'])));
  const events = store.changes.flatMap((change) => lifecycleEvents({ ...change, committedAt: 0 }, { stage: 'dev', phoneNumber: (n) => n }));
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('the events dead-letter queue’s messages', () => {
  it('hold the whole event as the PutEvents entry it was, detail included, with its eventId as an attribute', async () => {
    const event = await sentEvent();
    const message = deadLetterMessage('https://sqs.example/q', 'phone-verify-dev', event);
    // Exactly a PutEvents entry: Detail is a JSON string, so the body can be put back as it is.
    const entry = JSON.parse(message.MessageBody) as { Detail: string };
    expect(entry).toEqual({ Source: 'phone-verify', DetailType: 'Verification Code Sent', Detail: expect.any(String), EventBusName: 'phone-verify-dev' });
    expect(JSON.parse(entry.Detail)).toEqual(event.detail);
    expect(message.MessageAttributes.eventId.StringValue).toBe(event.detail.eventId);
  });

  it('go one per event, in order, and a failed send is not swallowed (the record is then tried again)', async () => {
    const event = await sentEvent();
    const sent: unknown[] = [];
    let fail = false;
    const client = {
      send: async (command: { input: unknown }) => {
        if (fail) throw new Error('SQS unavailable');
        sent.push(command.input);
        return {};
      },
    } as unknown as SQSClient;
    const dlq = new SqsDeadLetters(client, 'https://sqs.example/q', 'phone-verify-dev');
    await dlq.send([event, event]);
    expect(sent).toHaveLength(2);
    fail = true;
    await expect(dlq.send([event])).rejects.toThrow('SQS unavailable');
  });
});
