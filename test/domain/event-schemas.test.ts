import { randomUUID } from 'node:crypto';
import { lifecycleEvents, type LifecycleEvent } from '../../functions/domain/lifecycle-events';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { wrong } from '../support/fakes';
import { attempt, memoryService } from '../support/service';
import { ajv, deliveredEvent, eventSchemas as schemas } from '../support/event-schemas';

/**
 * docs/events/*.schema.json (JSON Schema Draft 4, the dialect the EventBridge schema registry
 * takes) describe each event as EventBridge delivers it. Every event the mapping makes in flows
 * that produce all four kinds, both lock reasons, a timeout and a test number conforms to its
 * schema, and the schemas refuse a detail with a member missing or one too many.
 */
/** An event as EventBridge delivers it to a rule's target. */
const delivered = (event: LifecycleEvent) =>
  deliveredEvent({
    eventId: randomUUID(),
    detailType: event.detailType,
    source: 'phone-verify',
    time: event.detail.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
    resources: [],
    detail: event.detail,
  });

async function flows(): Promise<LifecycleEvent[]> {
  const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));
  const other = parsePhoneNumber('010-2222-3333', new Set(['KR']));
  const testNumber = parsePhoneNumber('010-0000-0000', new Set(['KR']));
  const { store, sender, clock, service } = memoryService({ resendCooldownMs: 0, maxFailedGuesses: 7, testNumbers: new Map([[testNumber.e164, '123456']]) });
  // Sent, Check Failed, Verified.
  await service.send(phone);
  await attempt(service.check(phone, wrong(sender.lastCode(phone.e164))));
  await service.check(phone, sender.lastCode(phone.e164));
  // Five wrong guesses use up a code (attempts_exhausted); two more on a new code reach the streak of 7 (failed_streak).
  await service.send(other);
  for (let i = 0; i < 5; i += 1) await attempt(service.check(other, wrong(sender.lastCode(other.e164))));
  await service.send(other);
  for (let i = 0; i < 2; i += 1) await attempt(service.check(other, wrong(sender.lastCode(other.e164))));
  // The lock for good: the 100th wrong guess in a row (lockedUntil: null).
  const forGood = parsePhoneNumber('010-4444-5555', new Set(['KR']));
  await service.send(forGood);
  store.items.set(forGood.e164, { ...store.items.get(forGood.e164)!, streak: 99, lockCount: 4, lockedUntil: clock.now() - 1 });
  await attempt(service.check(forGood, wrong(sender.lastCode(forGood.e164))));
  // A timeout, and a test number sent and verified.
  clock.advance(86_400_000);
  sender.mode = 'timeout';
  await attempt(service.send(phone));
  sender.mode = 'ok';
  await service.send(testNumber);
  await service.check(testNumber, '123456');
  return store.changes.flatMap((change) => lifecycleEvents({ ...change, committedAt: clock.now() }, { stage: 'dev', phoneNumber: (e164) => e164 }));
}

describe('the event schemas in docs/events (JSON Schema Draft 4)', () => {
  it('has one schema per detail-type', () => {
    expect([...schemas.keys()].sort()).toEqual(['Phone Number Verified', 'Verification Check Failed', 'Verification Code Sent', 'Verification Locked']);
  });

  it('accepts every event the mapping makes, as EventBridge delivers it', async () => {
    const events = await flows();
    const seen = new Set(events.map((e) => e.detailType));
    expect(seen.size).toBe(4);
    const reasons = events.flatMap((e) => (e.detailType === 'Verification Locked' ? e.detail.reasons : []));
    expect(new Set(reasons)).toEqual(new Set(['attempts_exhausted', 'failed_streak']));
    expect(events.some((e) => e.detailType === 'Verification Locked' && e.detail.lockedUntil === null)).toBe(true);
    expect(events.some((e) => e.detailType === 'Verification Code Sent' && e.detail.providerTimedOut && e.detail.provider === 'test')).toBe(true);
    expect(events.some((e) => e.detailType === 'Verification Code Sent' && e.detail.testNumber && e.detail.provider === null)).toBe(true);
    const invalid = events.flatMap((event) => {
      const validate = schemas.get(event.detailType)!;
      return validate(delivered(event)) ? [] : [`${event.detailType}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(invalid).toEqual([]);
  });

  it('refuses a detail with a member missing or one it does not know', async () => {
    const [sent] = await flows();
    const validate = schemas.get('Verification Code Sent')!;
    const { provider: _provider, ...missing } = sent!.detail as unknown as Record<string, unknown>;
    expect(validate({ ...delivered(sent!), detail: missing })).toBe(false);
    expect(validate({ ...delivered(sent!), detail: { ...sent!.detail, code: '123456' } })).toBe(false);
  });
});
