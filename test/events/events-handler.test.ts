import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../../functions/adapters/eventbridge-publisher';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { eventsHandler } from '../../functions/events-handler';
import { eventBridgeClientFor, useAws, type AwsEmulator } from '../support/aws';
import { RecordingDeadLetters, streamRecord } from '../support/events';
import { wrong } from '../support/fakes';
import { attempt, memoryService } from '../support/service';

/**
 * The events function's record handling: the real service's committed changes, as stream
 * records (new and old images), through the handler to the AWS stand-in's EventBridge. The
 * dead-letter queue is a port here (the stand-in has no SQS): the hand-over is what is tested.
 */
const BUS = 'phone-verify-dev';
const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));

describe('the events function: stream records to EventBridge, in order, nothing lost', () => {
  const aws = useAws([BUS]);
  let emu: AwsEmulator;
  beforeEach(() => {
    emu = aws();
  });

  function setUp() {
    const { store, sender, clock, service } = memoryService();
    const deadLetters = new RecordingDeadLetters();
    const handler = eventsHandler({
      publisher: new EventBridgePublisher(eventBridgeClientFor(emu), BUS, { rounds: 3, backoffMs: 1 }),
      deadLetters,
      context: { stage: 'dev', phoneNumber: (e164) => e164 },
    });
    /** The changes committed so far, as one batch of stream records. */
    const batch = (): DynamoDBStreamEvent => ({ Records: store.changes.map((change, i) => streamRecord(change, i, clock.now())) });
    return { store, sender, clock, service, deadLetters, handler, batch, attempt };
  }

  const detailTypes = () => emu.events.map((e) => e.detailType);

  it('send, wrong guess, right guess: exactly Code Sent, Check Failed, Phone Number Verified, in that order', async () => {
    const { service, sender, handler, batch, attempt } = setUp();
    await service.send(phone);
    await attempt(service.check(phone, wrong(sender.lastCode())));
    await service.check(phone, sender.lastCode());
    const response = await handler(batch(), {} as Context);
    expect(response.batchItemFailures).toEqual([]);
    expect(detailTypes()).toEqual(['Verification Code Sent', 'Verification Check Failed', 'Phone Number Verified']);
    expect(emu.events.every((e) => e.source === 'phone-verify' && e.eventBusName === BUS)).toBe(true);
    expect(emu.refusals).toEqual([]);
    expect(emu.eventsDropped).toEqual([]);
  });

  it('publishes nothing for a send the provider refused (502)', async () => {
    const { service, sender, handler, batch, attempt } = setUp();
    sender.mode = 'refuse';
    await attempt(service.send(phone));
    expect((await handler(batch(), {} as Context)).batchItemFailures).toEqual([]);
    expect(emu.events).toEqual([]);
    expect(emu.calls).toEqual([]); // not even asked
  });

  it('loses nothing when PutEvents fails some entries: the failed ones are tried again', async () => {
    const { service, sender, handler, batch, attempt, deadLetters } = setUp();
    await service.send(phone);
    for (let i = 0; i < 3; i += 1) await attempt(service.check(phone, wrong(sender.lastCode())));
    emu.mode.events = 'partial';
    expect((await handler(batch(), {} as Context)).batchItemFailures).toEqual([]);
    const published = emu.events.length + deadLetters.received.length;
    expect(published).toBe(4);
    expect(emu.refusals.length).toBeGreaterThan(0);
  });

  it('hands events still refused after every round to the dead-letter queue, whole, and acknowledges the record', async () => {
    const { service, handler, batch, deadLetters } = setUp();
    await service.send(phone);
    emu.mode.events = 'throttle';
    expect((await handler(batch(), {} as Context)).batchItemFailures).toEqual([]);
    expect(deadLetters.received.map((e) => e.detailType)).toEqual(['Verification Code Sent']);
    expect(deadLetters.received[0]!.detail).toMatchObject({ phoneNumber: phone.e164, provider: 'test', version: 1 });
  });

  it('fails a record whose dead-letter hand-over fails, and every later record of the batch, unpublished', async () => {
    const { service, sender, handler, batch, attempt, deadLetters } = setUp();
    await service.send(phone);
    await attempt(service.check(phone, wrong(sender.lastCode())));
    emu.mode.events = 'throttle';
    deadLetters.failing = true;
    const records = batch().Records;
    const response = await handler({ Records: records }, {} as Context);
    // The first record that publishes (the settling write) fails; all after it fail with it.
    const firstPublishing = records.findIndex((r) => r.dynamodb?.NewImage?.['sendState'] !== undefined);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(firstPublishing).map((r) => r.dynamodb!.SequenceNumber));
    emu.mode.events = 'ok';
    deadLetters.failing = false;
    // The stream's retry starts again at the first failed record: everything arrives, in order.
    const retry = await handler({ Records: records.slice(firstPublishing) }, {} as Context);
    expect(retry.batchItemFailures).toEqual([]);
    expect(detailTypes()).toEqual(['Verification Code Sent', 'Verification Check Failed']);
  });
});
