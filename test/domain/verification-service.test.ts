import { VerificationError } from '../../functions/domain/errors';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { worstSendMs } from '../../functions/domain/send-time';
import { RecordingSender } from '../support/fakes';
import { InMemoryVerificationStore } from '../support/memory-store';
import { STORE_ALLOWANCE_MS, memoryService } from '../support/service';

const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));

function service(store: InMemoryVerificationStore, sender = new RecordingSender()) {
  return memoryService({}, store, sender).service;
}

describe('VerificationService.send when a bookkeeping write fails after the SMS', () => {
  it('still answers 202 (the SMS is out) and flags that the replay was not stored', async () => {
    const store = new InMemoryVerificationStore();
    store.settleSend = async () => Promise.reject(new Error('throttled'));
    const sender = new RecordingSender();
    const outcome = await service(store, sender).send(phone, { idempotencyKey: 'key-1' });
    expect(outcome.response.status).toBe('pending');
    expect(outcome.replayNotStored).toBe(true);
    expect(sender.messages).toHaveLength(1);
  });

  it('does not flag anything when the replay was stored', async () => {
    const outcome = await service(new InMemoryVerificationStore()).send(phone, { idempotencyKey: 'key-1' });
    expect(outcome.replayNotStored).toBeUndefined();
  });

  it('still answers sms_provider_timeout when the key cannot be dropped after a timeout', async () => {
    const store = new InMemoryVerificationStore();
    store.settleSend = async () => Promise.reject(new Error('throttled'));
    const sender = new RecordingSender();
    sender.mode = 'timeout';
    const error = await service(store, sender)
      .send(phone, { idempotencyKey: 'key-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).code).toBe('sms_provider_timeout');
  });
});

describe('VerificationService.send: the idempotency lease outlasts the worst send', () => {
  it('answers 409 to a keyed retry as long as the first send may still be running, every provider and store call at its limit', async () => {
    const sender = new RecordingSender();
    const { service: svc, clock } = memoryService({ resendCooldownMs: 0, smsTimeoutMs: 20_000 }, new InMemoryVerificationStore(), sender);
    const { entered, release } = sender.hold();
    const first = svc.send(phone, { idempotencyKey: 'key-1' });
    await entered;
    // The first send could still be sending (or settling) until its worst has passed.
    clock.advance(worstSendMs({ smsTimeoutMs: 20_000, storeAllowanceMs: STORE_ALLOWANCE_MS }));
    const retry = await svc.send(phone, { idempotencyKey: 'key-1' }).catch((e: unknown) => e);
    expect(retry).toBeInstanceOf(VerificationError);
    expect((retry as VerificationError).code).toBe('request_in_progress');
    release();
    await first;
    expect(sender.messages).toHaveLength(1);
  });
});

describe('VerificationService.check: the lock for good at 100 wrong guesses in a row', () => {
  it('locks for good when the 100th wrong guess counts while a racing guess’s timed lock is in force', async () => {
    const store = new InMemoryVerificationStore();
    const sender = new RecordingSender();
    const { service: svc, clock } = memoryService({ maxFailedGuesses: 99 }, store, sender);
    await svc.send(phone);
    const item = () => store.items.get(phone.e164)!;
    store.items.set(phone.e164, { ...item(), streak: 98 });
    // This guess passes the decision; before its count, a racing guess brings the streak to 99 and locks for an hour.
    const count = store.countWrongGuess.bind(store);
    store.countWrongGuess = async (...args) => {
      store.countWrongGuess = count;
      await count(phone.e164, clock.now(), 'the-racing-guess');
      await store.lock(phone.e164, clock.now(), 99, 0, clock.now() + 3_600_000);
      return count(...args);
    };
    const error = await svc.check(phone, '000000' === sender.lastCode() ? '111111' : '000000').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'incorrect_code', facts: { lockedNow: true } });
    expect(item()).toMatchObject({ streak: 100, permanentLock: true, lockCount: 2 });
    expect(item().lockedUntil).toBeUndefined();
    expect(item().ttl).toBeUndefined();
  });
});
