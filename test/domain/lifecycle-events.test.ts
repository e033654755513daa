import { lifecycleEvents, type LifecycleEvent } from '../../functions/domain/lifecycle-events';
import { parsePhoneNumber } from '../../functions/domain/phone';
import type { VerificationPolicy } from '../../functions/domain/verification-service';
import { wrong } from '../support/fakes';
import { attempt, memoryService } from '../support/service';

/**
 * The mapping from committed item changes to lifecycle events, fed with the changes the real
 * service makes through the store (the in-memory one, which the contract suite holds to
 * DynamoDB's): each flow publishes exactly the events of its committed changes, and nothing for
 * what did not commit or changed nothing.
 */
const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));
const TEST_NUMBER = parsePhoneNumber('010-0000-0000', new Set(['KR']));
const context = { stage: 'dev', phoneNumber: (e164: string) => e164 };

function setUp(policy: Partial<VerificationPolicy> = {}) {
  const { store, sender, clock, service } = memoryService({ testNumbers: new Map([[TEST_NUMBER.e164, '123456']]), ...policy });
  let seen = 0;
  /** The events of the changes committed since the last call. */
  const published = (): LifecycleEvent[] => {
    const fresh = store.changes.slice(seen);
    seen = store.changes.length;
    return fresh.flatMap((change) => lifecycleEvents({ ...change, committedAt: clock.now() }, context));
  };
  return { store, sender, clock, service, published, attempt };
}

const types = (events: LifecycleEvent[]) => events.map((e) => e.detailType);

describe('lifecycle events from committed changes', () => {
  it('send, wrong guess, right guess: exactly Code Sent, Check Failed, Phone Number Verified', async () => {
    const { service, sender, published, attempt } = setUp();
    await service.send(phone);
    const sent = published();
    expect(types(sent)).toEqual(['Verification Code Sent']);
    expect(sent[0]!.detail).toMatchObject({
      channel: 'sms',
      provider: 'test',
      testNumber: false,
      providerTimedOut: false,
      phoneNumber: phone.e164,
      stage: 'dev',
      version: 1,
    });
    await attempt(service.check(phone, wrong(sender.lastCode())));
    const failed = published();
    expect(types(failed)).toEqual(['Verification Check Failed']);
    expect(failed[0]!.detail).toMatchObject({ attemptsRemaining: 4 });
    const approved = await service.check(phone, sender.lastCode());
    const verified = published();
    expect(types(verified)).toEqual(['Phone Number Verified']);
    const claims = JSON.parse(Buffer.from(approved.token.split('.')[1]!, 'base64url').toString()) as { jti: string };
    expect(verified[0]!.detail).toMatchObject({ tokenId: claims.jti, testNumber: false, channel: 'sms' });
  });

  it('numbers every event by the item’s seq, with a deterministic id, in the order of the changes', async () => {
    const { service, sender, published, attempt } = setUp();
    await service.send(phone);
    await attempt(service.check(phone, wrong(sender.lastCode())));
    await service.check(phone, sender.lastCode());
    const events = published();
    const sequences = events.map((e) => e.detail.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(3);
    const sendId = events[0]!.detail.verificationId;
    expect(events.map((e) => e.detail.eventId)).toEqual([
      `${sendId}:${sequences[0]}:sent`,
      `${sendId}:${sequences[1]}:check_failed`,
      `${sendId}:${sequences[2]}:verified`,
    ]);
  });

  it('publishes nothing for a send the provider refused (502): its reservation and rollback never look sent', async () => {
    const { service, sender, store, clock, published, attempt } = setUp();
    await service.send(phone);
    published();
    clock.advance(60_000);
    sender.mode = 'refuse';
    const before = store.changes.length;
    expect(await attempt(service.send(phone))).toMatchObject({ code: 'sms_delivery_failed' });
    expect(store.changes.length - before).toBe(2); // the reservation and its rollback committed
    expect(published()).toEqual([]);
  });

  it('publishes nothing for a first send refused (502), whose item is deleted again', async () => {
    const { service, sender, store, published, attempt } = setUp();
    sender.mode = 'refuse';
    expect(await attempt(service.send(phone))).toMatchObject({ code: 'sms_delivery_failed' });
    expect(store.changes.map((c) => c.newImage === undefined)).toEqual([false, true]); // reserved, then deleted
    expect(published()).toEqual([]);
  });

  it('publishes Code Sent with providerTimedOut for a send that timed out (the SMS may still arrive)', async () => {
    const { service, sender, published, attempt } = setUp();
    sender.mode = 'timeout';
    await attempt(service.send(phone, { idempotencyKey: 'k1' }));
    const events = published();
    expect(types(events)).toEqual(['Verification Code Sent']);
    expect(events[0]!.detail).toMatchObject({ providerTimedOut: true, provider: 'test' });
  });

  it('publishes nothing for an idempotent replay', async () => {
    const { service, published } = setUp();
    await service.send(phone, { idempotencyKey: 'k1' });
    expect(types(published())).toEqual(['Verification Code Sent']);
    const replay = await service.send(phone, { idempotencyKey: 'k1' });
    expect(replay.replayed).toBe(true);
    expect(published()).toEqual([]);
  });

  it('publishes Code Sent with provider null for a test number, and its approval as a test number’s', async () => {
    const { service, published } = setUp();
    await service.send(TEST_NUMBER);
    const sent = published();
    expect(types(sent)).toEqual(['Verification Code Sent']);
    expect(sent[0]!.detail).toMatchObject({ provider: null, testNumber: true });
    await service.check(TEST_NUMBER, '123456');
    const verified = published();
    expect(types(verified)).toEqual(['Phone Number Verified']);
    expect(verified[0]!.detail).toMatchObject({ testNumber: true });
  });

  it('publishes Locked (attempts_exhausted) with the Check Failed that spent the last attempt', async () => {
    const { service, sender, published, attempt } = setUp();
    await service.send(phone);
    published();
    for (let i = 0; i < 4; i += 1) await attempt(service.check(phone, wrong(sender.lastCode())));
    expect(types(published())).toEqual(Array(4).fill('Verification Check Failed'));
    await attempt(service.check(phone, wrong(sender.lastCode())));
    const last = published();
    expect(types(last)).toEqual(['Verification Check Failed', 'Verification Locked']);
    expect(last[1]!.detail).toMatchObject({ reasons: ['attempts_exhausted'] });
    expect(last[1]!.detail).not.toHaveProperty('lockedUntil');
    await attempt(service.check(phone, sender.lastCode())); // refused: no attempt left, nothing committed
    expect(published()).toEqual([]);
  });

  it('publishes Locked (failed_streak) with lockedUntil when the streak locks the number', async () => {
    const { service, sender, clock, published, attempt } = setUp({ maxFailedGuesses: 3 });
    await service.send(phone);
    for (let i = 0; i < 3; i += 1) await attempt(service.check(phone, wrong(sender.lastCode())));
    const events = published();
    const locked = events.filter((e) => e.detailType === 'Verification Locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]!.detail).toMatchObject({ reasons: ['failed_streak'], lockedUntil: new Date(clock.now() + 3_600_000).toISOString() });
  });

  it('publishes Locked (failed_streak) with lockedUntil: null for the lock for good at 100 wrong guesses in a row', async () => {
    const { service, store, sender, clock, published, attempt } = setUp();
    await service.send(phone);
    store.items.set(phone.e164, { ...store.items.get(phone.e164)!, streak: 99, lockCount: 5, lockedUntil: clock.now() - 1 });
    published();
    await attempt(service.check(phone, wrong(sender.lastCode())));
    const locked = published().filter((e) => e.detailType === 'Verification Locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]!.detail).toMatchObject({ reasons: ['failed_streak'], lockedUntil: null });
  });

  it('shows the number as the context says (masked with EVENTS_PHONE_NUMBER=masked)', () => {
    const unsettled = { phoneNumber: phone.e164, sendId: 's1', seq: 6, codeHash: 'h', codeExpiresAt: 1, attempts: 0 };
    const item = { ...unsettled, seq: 7, sendState: 'accepted', provider: 'sens' } as const;
    const [event] = lifecycleEvents({ oldImage: unsettled, newImage: item, committedAt: 0 }, { stage: 'prod', phoneNumber: () => phone.masked });
    expect(event!.detail).toMatchObject({ phoneNumber: '+82 10-****-5678', stage: 'prod', eventId: 's1:7:sent', occurredAt: '1970-01-01T00:00:00.000Z' });
  });

  it('publishes nothing for a removal (TTL) or an item without seq', () => {
    const unsettled = { phoneNumber: phone.e164, sendId: 's1', codeHash: 'h', codeExpiresAt: 1, attempts: 0 };
    const item = { ...unsettled, sendState: 'accepted' } as const;
    expect(lifecycleEvents({ oldImage: { ...item, seq: 3 }, newImage: undefined, committedAt: 0 }, context)).toEqual([]);
    expect(lifecycleEvents({ oldImage: unsettled, newImage: item, committedAt: 0 }, context)).toEqual([]);
    expect(lifecycleEvents({ oldImage: unsettled, newImage: { ...item, seq: 1 }, committedAt: 0 }, context)).toHaveLength(1);
  });
});
