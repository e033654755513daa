import { EventBridgePublisher } from '../../functions/adapters/eventbridge-publisher';
import { logger } from '../../functions/adapters/observability';
import type { LifecycleEvent } from '../../functions/domain/lifecycle-events';
import { eventBridgeClientFor, useAws, type AwsEmulator } from '../support/aws';

const BUS = 'phone-verify-dev';

function event(i: number): LifecycleEvent {
  return {
    detailType: 'Verification Check Failed',
    detail: {
      version: 1,
      sequence: 1000 + i,
      eventId: `send-1:${1000 + i}:check_failed`,
      verificationId: 'send-1',
      phoneNumber: '+821012345678',
      stage: 'dev',
      occurredAt: '2026-12-04T10:00:00.000Z',
      attemptsRemaining: 4,
    },
  };
}

describe('EventBridgePublisher against the AWS emulator (PutEvents, as AWS answers it)', () => {
  const aws = useAws([BUS]);
  let emu: AwsEmulator;
  let publisher: EventBridgePublisher;
  beforeEach(() => {
    emu = aws();
    publisher = new EventBridgePublisher(eventBridgeClientFor(emu), BUS, { rounds: 4, backoffMs: 1 });
  });

  it('puts every event on the bus, in order, at most 10 a call, with source, detail-type and detail', async () => {
    const events = Array.from({ length: 23 }, (_, i) => event(i));
    expect(await publisher.publish(events)).toEqual([]);
    expect(emu.calls.filter((c) => c.op === 'PutEvents').map((c) => (c.input as { Entries: unknown[] }).Entries.length)).toEqual([10, 10, 3]);
    expect(emu.events.map((e) => e.detail)).toEqual(events.map((e) => e.detail));
    expect(emu.events[0]).toMatchObject({ eventBusName: BUS, source: 'phone-verify', detailType: 'Verification Check Failed' });
    expect(emu.refusals).toEqual([]);
    expect(emu.eventsDropped).toEqual([]);
  });

  it('tries again exactly the entries a 200 answer failed: nothing lost, nothing twice', async () => {
    emu.mode.events = 'partial'; // every 2nd valid entry fails with InternalFailure, across calls
    const events = Array.from({ length: 12 }, (_, i) => event(i));
    const left = await publisher.publish(events); // 4 rounds: 12 tried, then 6, 3, 2
    const published = () => emu.events.map((e) => (e.detail as { eventId: string }).eventId);
    expect(left).toHaveLength(1);
    const sent = emu.calls.filter((c) => c.op === 'PutEvents').flatMap((c) => (c.input as { Entries: Array<{ Detail: string }> }).Entries);
    expect(sent.length).toBe(published().length + emu.refusals.length); // each entry either in or refused
    expect([...published(), ...left.map((e) => e.detail.eventId)].sort()).toEqual(events.map((e) => e.detail.eventId).sort());
    emu.mode.events = 'ok';
    expect(await publisher.publish(left)).toEqual([]);
    expect(published()).toHaveLength(12);
    expect(new Set(published()).size).toBe(12);
  });

  it('gives back what is still refused after the last round, for the dead-letter queue', async () => {
    emu.mode.events = 'throttle';
    const events = [event(1), event(2)];
    expect(await publisher.publish(events)).toEqual(events);
    expect(emu.calls.filter((c) => c.op === 'PutEvents')).toHaveLength(4);
    expect(emu.events).toEqual([]);
  });

  describe('says why, every time', () => {
    let warned: Array<[string, Record<string, unknown>]>;
    beforeEach(() => {
      warned = [];
      jest.spyOn(logger, 'warn').mockImplementation((message, ...extra) => void warned.push([String(message), extra[0] as Record<string, unknown>]));
    });
    afterEach(() => jest.restoreAllMocks());

    it('logs each entry a 200 answer refused, with its event id and error code', async () => {
      emu.mode.events = 'partial';
      await publisher.publish([event(1), event(2)]);
      const refusals = emu.refusals.length;
      const logged = warned
        .filter(([m]) => m === 'PutEvents refused entries')
        .flatMap(([, fields]) => fields.failed as Array<{ eventId: string; errorCode: string }>);
      expect(logged.length).toBe(refusals);
      expect(logged[0]).toEqual({ eventId: expect.stringMatching(/^send-1:100[12]:check_failed$/), errorCode: 'InternalFailure' });
    });

    it('logs each call refused whole, with its error code', async () => {
      emu.mode.events = 'throttle';
      await publisher.publish([event(1)]);
      expect(warned).toEqual(Array(4).fill(['PutEvents call failed', { errorCode: 'ThrottlingException', eventIds: ['send-1:1001:check_failed'] }]));
    });
  });
});
