import { wrong } from '../support/fakes';
import { dynamoHarness, type Harness } from '../support/harness';

const KR = { phoneNumber: '010-1234-5678' };
const E164 = '+821012345678';
const key = (k: string) => ({ 'Idempotency-Key': k });

describe('POST /v1/verifications with Idempotency-Key', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await dynamoHarness();
  });

  it('replays the original 202 for a retry with the same key: same body, Idempotent-Replayed, no second SMS, nothing charged', async () => {
    const first = await h.send(KR, key('retry-1'));
    h.clock.advance(5_000);
    const again = await h.send(KR, key('retry-1'));
    expect(again.status).toBe(202);
    expect(again.json).toEqual(first.json);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.sender.messages).toHaveLength(1);
    expect((await h.item())?.sendCount).toBe(1);
  });

  it('scopes the key to the number: the same key for another number is a new send', async () => {
    await h.send(KR, key('shared'));
    const other = await h.send({ phoneNumber: '010-9999-8888' }, key('shared'));
    expect(other.status).toBe(202);
    expect(other.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.sender.messages).toHaveLength(2);
  });

  it('treats another key within the cooldown as a new send (refused by the cooldown)', async () => {
    await h.send(KR, key('a'));
    expect((await h.send(KR, key('b'))).json.code).toBe('resend_too_soon');
  });

  it('counts the key as new once its code is approved', async () => {
    await h.send(KR, key('k'));
    await h.check({ phoneNumber: E164, code: h.sender.lastCode() });
    h.clock.advance(60_000);
    const after = await h.send(KR, key('k'));
    expect(after.status).toBe(202);
    expect(after.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.sender.messages).toHaveLength(2);
  });

  it('counts the key as new once its code expired', async () => {
    await h.send(KR, key('k'));
    h.clock.advance(300_000);
    const after = await h.send(KR, key('k'));
    expect(after.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.sender.messages).toHaveLength(2);
  });

  it('counts the key as new once its code was replaced', async () => {
    await h.send(KR, key('k1'));
    h.clock.advance(60_000);
    await h.send(KR, key('k2'));
    h.clock.advance(60_000);
    const after = await h.send(KR, key('k1'));
    expect(after.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.sender.messages).toHaveLength(3);
  });

  it('still replays after wrong guesses on that code (the code is still the latest)', async () => {
    const first = await h.send(KR, key('k'));
    await h.check({ phoneNumber: E164, code: wrong(h.sender.lastCode()) });
    expect((await h.send(KR, key('k'))).json).toEqual(first.json);
  });

  it('does not remember failures: after a 502 the same key simply tries again', async () => {
    h.sender.mode = 'refuse';
    expect((await h.send(KR, key('k'))).status).toBe(502);
    h.sender.mode = 'ok';
    const retry = await h.send(KR, key('k'));
    expect(retry.status).toBe(202);
    expect(retry.headers['Idempotent-Replayed']).toBeUndefined();
  });

  it('does not remember a 504 either: a retry with the key is a new send, held by the cooldown', async () => {
    h.sender.mode = 'timeout';
    expect((await h.send(KR, key('k'))).status).toBe(504);
    h.sender.mode = 'ok';
    expect((await h.send(KR, key('k'))).json.code).toBe('resend_too_soon');
  });

  it('sends exactly one SMS for 10 concurrent requests with one key; the others replay or get 409', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.send(KR, key('same'))));
    expect(h.sender.messages).toHaveLength(1);
    for (const a of answers) {
      if (a.status === 409) {
        expect(a.json.code).toBe('request_in_progress');
        expect(a.headers['Retry-After']).toBe('1');
      } else {
        expect(a.status).toBe(202);
      }
    }
    expect(answers.filter((a) => a.status === 202 && !a.headers['Idempotent-Replayed'])).toHaveLength(1);
  });

  it('answers 409 while the first request with the key is still sending', async () => {
    const { entered, release } = h.sender.hold();
    const first = h.send(KR, key('slow'));
    await entered; // the reservation is written; the SMS is pending
    const second = await h.send(KR, key('slow'));
    expect(second.status).toBe(409);
    expect(second.json.code).toBe('request_in_progress');
    release();
    expect((await first).status).toBe(202);
    expect((await h.send(KR, key('slow'))).headers['Idempotent-Replayed']).toBe('true');
  });

  it('does not block the key past the SMS timeout if the sender crashed mid-send', async () => {
    // A crash between the reservation and the SMS leaves the key without a stored 202.
    await h.store.reserveSend({
      phoneNumber: E164,
      sendId: 'crashed',
      codeHash: 'x',
      now: h.clock.now(),
      codeExpiresAt: h.clock.now() + 300_000,
      maxAttempts: 5,
      cooldownMs: 60_000,
      maxSendsPerWindow: 5,
      channel: 'sms',
      windowMs: 86_400_000,
      inFlightMs: 10_000,
      idempotencyKey: 'k',
    });
    expect((await h.send(KR, key('k'))).json.code).toBe('request_in_progress');
    h.clock.advance(60_000); // past the in-flight lease and the cooldown: the user is not locked out
    const retry = await h.send(KR, key('k'));
    expect(retry.status).toBe(202);
    expect(h.sender.messages).toHaveLength(1);
  });
});
