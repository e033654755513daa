import { randomUUID } from 'node:crypto';
import { withoutSeq } from '../support/items';
import type { AbuseCounters, SendPlan, TestCode, VerificationRecord, VerificationStore } from '../../functions/domain/ports';

/**
 * The contracts of the domain's persistence ports, one suite each, run against every
 * implementation (as Ory Kratos runs one persister suite against every database): the DynamoDB
 * condition expressions and the in-memory rules the property tests rely on cannot drift apart
 * without a scenario failing for one and not the other. test/adapters/store-contract.int.test.ts
 * runs them on the in-memory and the DynamoDB Local implementations.
 */

export const NOW = Date.UTC(2030, 0, 1, 9);
export const NUMBER = '+821012345678';
const plan = (overrides: Partial<SendPlan> = {}): SendPlan => ({
  phoneNumber: NUMBER,
  sendId: randomUUID(),
  codeHash: 'hash-of-code',
  now: NOW,
  codeExpiresAt: NOW + 300_000,
  maxAttempts: 3,
  cooldownMs: 60_000,
  maxSendsPerWindow: 2,
  windowMs: 86_400_000,
  inFlightMs: 10_000,
  channel: 'sms',
  ...overrides,
});

/** A fresh, empty store, and a look at `NUMBER`'s item as stored. */
export type OpenStore = () => Promise<{ store: VerificationStore; item: () => Promise<VerificationRecord | undefined> }>;

/** Every method of `VerificationStore`, including its guards. */
export function verificationStoreContract(name: string, open: OpenStore): void {
  describe(`the VerificationStore contract (${name})`, () => {
    let store: VerificationStore;
    let item: () => Promise<VerificationRecord | undefined>;
    beforeEach(async () => {
      ({ store, item } = await open());
    });

    it('reserves a first send in a new window, and refuses a second inside the cooldown, saying why', async () => {
      const first = await store.reserveSend(plan());
      expect(first).toMatchObject({ reserved: true, previous: undefined, windowStart: NOW, sendCount: 1 });
      const second = plan({ now: NOW + 1000 });
      const refused = await store.reserveSend(second);
      expect(refused).toEqual({ reserved: false, refusal: { kind: 'cooldown', retryAt: NOW + 60_000 } });
    });

    it('stops at the daily cap, and starts a new window when it ends', async () => {
      await store.reserveSend(plan({ cooldownMs: 0 }));
      expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 1 }))).toMatchObject({ reserved: true, sendCount: 2 });
      expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 2 }))).toEqual({
        reserved: false,
        refusal: { kind: 'daily_cap', retryAt: NOW + 86_400_000 },
      });
      expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 86_400_000 }))).toMatchObject({
        reserved: true,
        windowStart: NOW + 86_400_000,
        sendCount: 1,
      });
    });

    it('puts a refused send back exactly as the number was', async () => {
      await store.reserveSend(plan());
      const before = await item();
      const next = plan({ now: NOW + 60_000, cooldownMs: 60_000 });
      const reserved = await store.reserveSend(next);
      if (!reserved.reserved) throw new Error('not reserved');
      await store.releaseSend(NUMBER, next.sendId, reserved.previous);
      expect(withoutSeq(await item())).toEqual(withoutSeq(before));
    });

    it('spends one attempt per guess in one write; the right guess approves the code and closes it', async () => {
      await store.reserveSend(plan());
      expect(await store.recordGuess(NUMBER, 'wrong', NOW + 1, randomUUID())).toMatchObject({ spent: true, record: { attempts: 1, lastGuessHash: 'wrong' } });
      expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 2, randomUUID())).toMatchObject({
        spent: true,
        record: { attempts: 2, lastGuessHash: 'hash-of-code' },
      });
      expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 3, randomUUID())).toMatchObject({ spent: false });
      expect((await item())?.attempts).toBe(2);
    });

    it('refuses a guess after the attempts are used up, and on an expired code', async () => {
      await store.reserveSend(plan());
      for (let i = 0; i < 3; i += 1) await store.recordGuess(NUMBER, 'wrong', NOW + 1, randomUUID());
      expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 2, randomUUID())).toMatchObject({ spent: false, current: { attempts: 3 } });
      await store.reserveSend(plan({ now: NOW + 60_000 }));
      expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 60_000 + 300_000, randomUUID())).toMatchObject({ spent: false });
    });

    it('replays an idempotent send, and counts it in progress until the response is stored', async () => {
      const keyed = plan({ idempotencyKey: 'k1' });
      await store.reserveSend(keyed);
      const again = plan({ idempotencyKey: 'k1', now: NOW + 100 });
      expect(await store.reserveSend(again)).toEqual({ reserved: false, refusal: { kind: 'in_progress' } });
      const response = { status: 'pending', phoneNumber: NUMBER, channel: 'sms', expiresAt: 'e', resendAvailableAt: 'r' } as const;
      await store.settleSend(NUMBER, keyed.sendId, { state: 'accepted', provider: 'sens', channel: 'sms', response });
      expect(await store.reserveSend(again)).toEqual({ reserved: false, refusal: { kind: 'replay', response } });
    });

    it('reads the item as the last write left it, and nothing for a number never sent to (a read writes nothing)', async () => {
      expect(await store.readItem(NUMBER)).toBeUndefined();
      expect(await item()).toBeUndefined();
      const keyed = plan({ idempotencyKey: 'k1' });
      await store.reserveSend(keyed);
      const stored = await item();
      expect(await store.readItem(NUMBER)).toEqual(stored);
      expect(await store.readItem(NUMBER)).toMatchObject({ idempotencyKey: 'k1', sendId: keyed.sendId });
      expect(await item()).toEqual(stored);
    });

    const response = { status: 'pending', phoneNumber: NUMBER, channel: 'sms', expiresAt: 'e', resendAvailableAt: 'r' } as const;
    const testCode = (overrides: Partial<TestCode> = {}): TestCode => ({
      phoneNumber: NUMBER,
      sendId: randomUUID(),
      codeHash: 'fixed',
      now: NOW,
      codeExpiresAt: NOW + 300_000,
      maxAttempts: 3,
      inFlightMs: 10_000,
      channel: 'sms',
      response,
      ...overrides,
    });

    it('stores a test number’s code without touching the counters', async () => {
      expect(await store.storeTestCode(testCode())).toBeUndefined();
      const stored = await item();
      expect(stored).toMatchObject({ codeHash: 'fixed', attempts: 0, maxAttempts: 3, sendState: 'accepted', testNumber: true });
      expect(stored?.sendCount).toBeUndefined();
      expect(stored?.provider).toBeUndefined();
      expect(await store.recordGuess(NUMBER, 'fixed', NOW, randomUUID())).toMatchObject({ spent: true, record: { lastGuessHash: 'fixed' } });
    });

    it('replays a test number’s send repeated with its Idempotency-Key, and takes another key or no key as a new send', async () => {
      expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1' }))).toBeUndefined();
      const first = await item();
      expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1', now: NOW + 1_000, response: { ...response, expiresAt: 'later' } }))).toEqual({
        kind: 'replay',
        response,
      });
      expect(await item()).toEqual(first); // the replay wrote nothing
      expect(await store.storeTestCode(testCode({ idempotencyKey: 'k2', now: NOW + 2_000, codeHash: 'second' }))).toBeUndefined();
      expect(await item()).toMatchObject({ codeHash: 'second', idempotencyKey: 'k2' });
      expect(await store.storeTestCode(testCode({ now: NOW + 3_000, codeHash: 'third' }))).toBeUndefined();
      const third = await item();
      expect(third).toMatchObject({ codeHash: 'third' });
      expect(third?.idempotencyKey).toBeUndefined();
    });

    it('takes a test number’s key as new once its code was approved', async () => {
      await store.storeTestCode(testCode({ idempotencyKey: 'k1' }));
      await store.recordGuess(NUMBER, 'fixed', NOW + 1, randomUUID());
      expect(await store.storeTestCode(testCode({ idempotencyKey: 'k1', now: NOW + 2, codeHash: 'again' }))).toBeUndefined();
      expect(await item()).toMatchObject({ codeHash: 'again', attempts: 0 });
    });

    it('stores the channel with the code, for the token to name it (a new window, the same window, a test number)', async () => {
      await store.reserveSend(plan({ channel: 'alimtalk' }));
      expect((await item())?.channel).toBe('alimtalk');
      await store.reserveSend(plan({ channel: 'sms', now: NOW + 60_000 }));
      expect((await item())?.channel).toBe('sms');
      await store.storeTestCode(testCode({ channel: 'alimtalk', now: NOW + 120_000 }));
      expect((await item())?.channel).toBe('alimtalk');
    });

    it('counts wrong guesses atomically, whatever is pending, and keeps the item 90 days after the last', async () => {
      await store.reserveSend(plan());
      const counted = await Promise.all(Array.from({ length: 6 }, () => store.countWrongGuess(NUMBER, NOW + 1, randomUUID())));
      expect(counted.map((c) => c.streak).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await item())?.ttl).toBe(Math.ceil((NOW + 1 + 90 * 86_400_000) / 1000));
    });

    it('locks exactly once when racing guesses all reach the limit, and not while a lock is in force', async () => {
      await store.reserveSend(plan());
      for (let i = 0; i < 3; i += 1) await store.countWrongGuess(NUMBER, NOW, randomUUID());
      expect(await store.lock(NUMBER, NOW, 4, 0, NOW + 3_600_000)).toBe(false); // streak 3 < 4
      await store.countWrongGuess(NUMBER, NOW, randomUUID());
      const raced = await Promise.all(Array.from({ length: 8 }, () => store.lock(NUMBER, NOW, 4, 0, NOW + 3_600_000)));
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await item()).toMatchObject({ streak: 4, lockCount: 1, lockedUntil: NOW + 3_600_000 });
      // Refused while it holds; after it ends, the next lock needs the count it saw.
      expect(await store.lock(NUMBER, NOW + 1, 4, 1, NOW + 7_200_000)).toBe(false);
      expect(await store.lock(NUMBER, NOW + 3_600_001, 4, 0, NOW + 7_200_000)).toBe(false);
      expect(await store.lock(NUMBER, NOW + 3_600_001, 4, 1, NOW + 10_800_000)).toBe(true);
      expect(await item()).toMatchObject({ lockCount: 2, lockedUntil: NOW + 10_800_000 });
    });

    /** `n` wrong guesses counted, at once (each an atomic add). */
    const countTo = async (n: number, now = NOW) => {
      await Promise.all(Array.from({ length: n }, () => store.countWrongGuess(NUMBER, now, randomUUID())));
    };

    it('refuses a send, a test code and a check while locked; an operator-only lock has no end and no TTL', async () => {
      await store.reserveSend(plan());
      await countTo(100);
      expect(await store.lock(NUMBER, NOW, 50, 0, undefined)).toBe(true);
      const locked = await item();
      expect(locked).toMatchObject({ permanentLock: true });
      expect(locked?.ttl).toBeUndefined();
      expect(await store.reserveSend(plan({ now: NOW + 86_400_000 * 30 }))).toEqual({ reserved: false, refusal: { kind: 'locked', retryAt: undefined } });
      expect(await store.storeTestCode(testCode({ now: NOW + 1 }))).toEqual({ kind: 'locked', retryAt: undefined });
      expect(await store.recordGuess(NUMBER, 'hash-of-code', NOW + 2, randomUUID())).toMatchObject({ spent: false });
      expect(await item()).toEqual(locked);
    });

    it('locks for good at 100 whatever timed lock is in force, once, and not below 100', async () => {
      await store.reserveSend(plan());
      await countTo(99);
      expect(await store.lock(NUMBER, NOW, 99, 0, NOW + 3_600_000)).toBe(true); // the 99th guess's timed lock
      expect(await store.lock(NUMBER, NOW, 99, 1, undefined)).toBe(false); // 99: not yet
      await countTo(1); // a guess that passed before that lock, counted after it
      expect(await Promise.all(Array.from({ length: 3 }, () => store.lock(NUMBER, NOW + 1, 99, 1, undefined)))).toEqual(
        expect.arrayContaining([true, false, false]),
      );
      const locked = await item();
      expect(locked).toMatchObject({ streak: 100, permanentLock: true, lockCount: 2 });
      expect(locked?.lockedUntil).toBeUndefined();
      expect(locked?.ttl).toBeUndefined();
    });

    it('gives a lock for good no TTL back when a guess that raced it is counted after it', async () => {
      await store.reserveSend(plan());
      await countTo(100);
      expect(await store.lock(NUMBER, NOW, 50, 0, undefined)).toBe(true);
      expect(await store.countWrongGuess(NUMBER, NOW + 1, randomUUID())).toMatchObject({ streak: 101, permanentLock: true });
      const locked = await item();
      expect(locked).toMatchObject({ streak: 101, permanentLock: true });
      expect(locked?.ttl).toBeUndefined();
    });

    it('ends the streak on an approval only while its check is the last (a later guess keeps it)', async () => {
      await store.reserveSend(plan());
      await store.countWrongGuess(NUMBER, NOW, randomUUID());
      const approval = randomUUID();
      await store.recordGuess(NUMBER, 'hash-of-code', NOW + 1, approval);
      await store.resetStreak(NUMBER, 'another-check');
      expect((await item())?.streak).toBe(1);
      await store.resetStreak(NUMBER, approval);
      await store.resetStreak(NUMBER, approval); // idempotent
      expect((await item())?.streak).toBe(0);
    });

    it('clears a lost reset at the next send, in the send’s own write', async () => {
      await store.reserveSend(plan({ cooldownMs: 0 }));
      await store.countWrongGuess(NUMBER, NOW, randomUUID());
      await store.recordGuess(NUMBER, 'hash-of-code', NOW + 1, randomUUID()); // approved; its reset never came
      expect(await store.reserveSend(plan({ cooldownMs: 0, now: NOW + 2 }))).toMatchObject({ reserved: true });
      expect(await item()).toMatchObject({ streak: 0, lockCount: 0, attempts: 0 });
    });

    it('keeps the streak and a lock through a new daily window, a 502 rollback and a test code', async () => {
      await store.reserveSend(plan());
      for (let i = 0; i < 3; i += 1) await store.countWrongGuess(NUMBER, NOW + 1, randomUUID());
      const nextDay = plan({ now: NOW + 86_400_001 });
      const reserved = await store.reserveSend(nextDay);
      if (!reserved.reserved) throw new Error('not reserved');
      expect(await item()).toMatchObject({ streak: 3, windowStart: NOW + 86_400_001, sendCount: 1 });
      await store.countWrongGuess(NUMBER, NOW + 86_400_002, randomUUID()); // a guess on the new code while its SMS is out
      await store.releaseSend(NUMBER, nextDay.sendId, reserved.previous);
      expect(await item()).toMatchObject({ streak: 4, windowStart: NOW, sendCount: 1 });
      expect((await item())?.ttl).toBeGreaterThan(Math.floor((NOW + 86_400_002) / 1000)); // the guess's TTL, not lowered
      const kept = (await item())?.ttl;
      await store.storeTestCode(testCode({ now: NOW + 86_400_003 }));
      expect((await item())?.streak).toBe(4);
      expect((await item())?.ttl).toBe(kept); // the streak's 90 days, not the test code's 5 minutes
    });

    it('puts the item back exactly, TTL included, when no guess counted meanwhile', async () => {
      await store.reserveSend(plan());
      const before = await item();
      const nextDay = plan({ now: NOW + 86_400_001 });
      const reserved = await store.reserveSend(nextDay);
      if (!reserved.reserved) throw new Error('not reserved');
      expect((await item())?.ttl).toBeGreaterThan(before!.ttl!);
      await store.releaseSend(NUMBER, nextDay.sendId, reserved.previous);
      expect(withoutSeq(await item())).toEqual(withoutSeq(before));
      expect((await item())?.seq).toBe(before!.seq! + 2); // the reservation and the rollback each raised it
    });

    it('raises seq by one with every write, and a new send is unsettled until its settling write', async () => {
      const first = plan({ cooldownMs: 0 });
      await store.reserveSend(first);
      const seqs = [(await item())!.seq!];
      await store.settleSend(NUMBER, first.sendId, { state: 'accepted', provider: 'sens', channel: 'sms' });
      seqs.push((await item())!.seq!);
      expect(await item()).toMatchObject({ sendState: 'accepted', provider: 'sens' });
      await store.recordGuess(NUMBER, 'wrong', NOW + 1, randomUUID());
      seqs.push((await item())!.seq!);
      await store.countWrongGuess(NUMBER, NOW + 1, randomUUID());
      seqs.push((await item())!.seq!);
      const second = plan({ cooldownMs: 0, now: NOW + 2 });
      await store.reserveSend(second);
      seqs.push((await item())!.seq!);
      expect((await item())?.sendState).toBeUndefined();
      expect((await item())?.provider).toBeUndefined();
      await store.storeTestCode(testCode({ now: NOW + 3 }));
      expect(await store.reserveSend(plan({ cooldownMs: 0, maxSendsPerWindow: 3, now: NOW + 4 }))).toMatchObject({ reserved: true });
      expect((await item())?.testNumber).toBeUndefined(); // a real send's code is not a test number's
      expect(seqs[0]).toBeGreaterThan(Date.UTC(2026, 0, 1)); // starts from the wall clock in ms, so it never restarts lower after TTL
      expect(seqs.map((s) => s - seqs[0]!)).toEqual([0, 1, 2, 3, 4]);
    });

    it('withdraws the code when the previous item is unknown, and keeps the limits charged', async () => {
      const first = plan();
      await store.reserveSend(first);
      await store.releaseSend(NUMBER, first.sendId, 'unknown');
      const after = await item();
      expect(after?.codeHash).toBeUndefined();
      expect(after).toMatchObject({ sendCount: 1, lastSentAt: NOW, windowStart: NOW });
    });

    it('deletes the item when a first send is released (there was none before)', async () => {
      const first = plan();
      const reserved = await store.reserveSend(first);
      expect(reserved).toMatchObject({ reserved: true, previous: undefined });
      await store.releaseSend(NUMBER, first.sendId, undefined);
      expect(await item()).toBeUndefined();
    });

    it('ignores every write of a send that is not the latest: release, remember, forget (a later send moved on)', async () => {
      const old = plan({ idempotencyKey: 'k-old' });
      const oldReservation = await store.reserveSend(old);
      if (!oldReservation.reserved) throw new Error('not reserved');
      const latest = plan({ now: NOW + 60_000, idempotencyKey: 'k-new' });
      await store.reserveSend(latest);
      const before = await item();
      await store.releaseSend(NUMBER, old.sendId, oldReservation.previous);
      await store.settleSend(NUMBER, old.sendId, { state: 'accepted', provider: 'sens', channel: 'sms', response: { ...RESPONSE, expiresAt: 'old' } });
      await store.settleSend(NUMBER, old.sendId, { state: 'timed_out', provider: 'sens', channel: 'sms' });
      await store.releaseSend(NUMBER, 'never-sent', undefined);
      await store.releaseSend(NUMBER, 'never-sent', 'unknown');
      expect(await item()).toEqual(before);
    });

    it('settles a timed-out send and forgets its key: the same key is then a new send, not in progress', async () => {
      const keyed = plan({ idempotencyKey: 'k1', cooldownMs: 0 });
      await store.reserveSend(keyed);
      await store.settleSend(NUMBER, keyed.sendId, { state: 'timed_out', provider: 'sens', channel: 'alimtalk' });
      expect(await item()).toMatchObject({ sendState: 'timed_out', provider: 'sens', channel: 'alimtalk' });
      expect((await item())?.idempotencyKey).toBeUndefined();
      expect(await store.reserveSend(plan({ idempotencyKey: 'k1', cooldownMs: 0, now: NOW + 100 }))).toMatchObject({ reserved: true, sendCount: 2 });
    });

    it('settles an accepted send with its provider, and remembers its 202 only for its key', async () => {
      const keyed = plan({ idempotencyKey: 'k1' });
      await store.reserveSend(keyed);
      await store.settleSend(NUMBER, keyed.sendId, { state: 'accepted', provider: 'sens', channel: 'sms', response: RESPONSE });
      expect(await item()).toMatchObject({ idempotencyKey: 'k1', idempotentResponse: RESPONSE, sendState: 'accepted', provider: 'sens' });
      expect(await store.reserveSend(plan({ idempotencyKey: 'k2', now: NOW + 100 }))).toEqual({
        reserved: false,
        refusal: { kind: 'cooldown', retryAt: NOW + 60_000 },
      });
    });
  });
}

const RESPONSE = { status: 'pending', phoneNumber: NUMBER, channel: 'sms', expiresAt: 'e', resendAvailableAt: 'r' } as const;

/** Fresh counters, and when a bucket's item may be deleted (epoch ms; undefined: no item). */
export type OpenCounters = () => Promise<{ counters: AbuseCounters; expiry: (bucket: string) => Promise<number | undefined> }>;

/** Every method of `AbuseCounters`. */
export function abuseCountersContract(name: string, open: OpenCounters): void {
  describe(`the AbuseCounters contract (${name})`, () => {
    let counters: AbuseCounters;
    let expiry: (bucket: string) => Promise<number | undefined>;
    const HOUR_END = NOW + 3_600_000;
    beforeEach(async () => {
      ({ counters, expiry } = await open());
    });

    it('takes up to max, then refuses; each bucket counts on its own', async () => {
      const taken = [];
      for (let i = 0; i < 4; i += 1) taken.push(await counters.take('range:82101234:h1', 3, HOUR_END));
      expect(taken).toEqual([true, true, true, false]);
      expect(await counters.take('budget:h1', 3, HOUR_END)).toBe(true);
    });

    it('takes exactly max under concurrency', async () => {
      const taken = await Promise.all(Array.from({ length: 12 }, () => counters.take('budget:concurrent', 5, HOUR_END)));
      expect(taken.filter(Boolean)).toHaveLength(5);
    });

    it('hands one back, so the next take succeeds, and never goes below zero', async () => {
      await counters.take('b', 1, HOUR_END);
      expect(await counters.take('b', 1, HOUR_END)).toBe(false);
      await counters.giveBack('b');
      expect(await counters.take('b', 1, HOUR_END)).toBe(true);
      await counters.giveBack('b');
      await counters.giveBack('b'); // one too many: ignored
      await counters.giveBack('never-taken');
      expect(await counters.take('b', 1, HOUR_END)).toBe(true);
      expect(await counters.take('b', 1, HOUR_END)).toBe(false);
    });

    it('keeps a bucket at least until its hour ends (TTL only cleans up after it)', async () => {
      expect(await expiry('b')).toBeUndefined();
      await counters.take('b', 1, HOUR_END);
      expect(await expiry('b')).toBeGreaterThanOrEqual(HOUR_END);
    });
  });
}
