import { VerificationError } from '../../functions/domain/errors';
import { parsePhoneNumber } from '../../functions/domain/phone';
import type { ChallengeVerdict, ChallengeVerifier, DestinationGuard, GuardVerdict } from '../../functions/domain/ports';
import type { ChallengeWhen } from '../../functions/domain/challenge';
import { RecordingSender } from '../support/fakes';
import { InMemoryVerificationStore } from '../support/memory-store';
import { STORE_ALLOWANCE_MS, attempt, memoryService } from '../support/service';
import { worstSendMs } from '../../functions/domain/send-time';

/**
 * The order of a send's checks around the bot challenge (docs/challenge.md, "Order"), on the
 * domain's own ports: the verifier and the guard here are fakes of ports we own (the services
 * themselves are tested against the stand-in in test/adapters/siteverify-verifier.test.ts).
 */

const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));
const testNumber = parsePhoneNumber('010-1234-0000', new Set(['KR']));

class ScriptedVerifier implements ChallengeVerifier {
  readonly seen: Array<{ token: string; remoteIp: string | undefined }> = [];
  next: ChallengeVerdict = { kind: 'passed' };
  async verify(token: string, remoteIp: string | undefined): Promise<ChallengeVerdict> {
    this.seen.push({ token, remoteIp });
    return this.next;
  }
}

class FixedGuard implements DestinationGuard {
  constructor(public current: GuardVerdict = { kind: 'clear' }) {}
  async verdict(): Promise<GuardVerdict> {
    return this.current;
  }
}

function setup(when: ChallengeWhen = 'always', guard?: DestinationGuard) {
  const verifier = new ScriptedVerifier();
  const store = new InMemoryVerificationStore();
  const sender = new RecordingSender();
  const reads: string[] = [];
  const readItem = store.readItem.bind(store);
  store.readItem = async (n) => {
    reads.push(n);
    return readItem(n);
  };
  const { service, clock } = memoryService({ testNumbers: new Map([[testNumber.e164, '123456']]) }, store, sender, {
    challenge: { verifier, when, timeoutMs: 3000 },
    ...(guard && { guard }),
  });
  return { service, verifier, store, sender, clock, reads };
}

const codeOf = (error: unknown) => (error as VerificationError).code;

describe('a send where a bot challenge is required (always)', () => {
  it('asks for a token first: no token is challenge_required, nothing charged, nothing sent', async () => {
    const { service, verifier, sender, store } = setup();
    expect(codeOf(await attempt(service.send(phone)))).toBe('challenge_required');
    expect(verifier.seen).toEqual([]);
    expect(sender.messages).toEqual([]);
    expect(store.items.size).toBe(0);
  });

  it('verifies the token once, with the caller’s address, then sends', async () => {
    const { service, verifier, sender } = setup();
    await service.send(phone, { challengeToken: 'tok-1', remoteIp: '203.0.113.7' });
    expect(verifier.seen).toEqual([{ token: 'tok-1', remoteIp: '203.0.113.7' }]);
    expect(sender.messages).toHaveLength(1);
  });

  it('answers challenge_failed for the person’s refusal, with the codes in the cause (for the log) and not the token', async () => {
    const { service, verifier, sender, store } = setup();
    verifier.next = { kind: 'refused', errorCodes: ['timeout-or-duplicate'] };
    const error = (await attempt(service.send(phone, { challengeToken: 'tok-secret-123' }))) as VerificationError;
    expect(error.code).toBe('challenge_failed');
    expect(String((error.cause as Error).message)).toContain('timeout-or-duplicate');
    expect(String((error.cause as Error).message)).not.toContain('tok-secret-123');
    expect(sender.messages).toEqual([]);
    expect(store.items.size).toBe(0);
  });

  it('answers 503 with Retry-After when the service failed us, marked for its own metric, nothing charged', async () => {
    const { service, verifier, sender, store } = setup();
    verifier.next = { kind: 'unavailable', reason: 'no answer within 3000 ms' };
    const error = (await attempt(service.send(phone, { challengeToken: 'tok' }))) as VerificationError;
    expect(error.code).toBe('service_unavailable');
    expect(error.facts).toEqual({ retryAfterSeconds: 5, challengeUnavailable: true });
    expect(sender.messages).toEqual([]);
    expect(store.items.size).toBe(0);
  });

  it('decides unsupported_channel before spending a token', async () => {
    const { service, verifier } = setup();
    expect(codeOf(await attempt(service.send(phone, { channel: 'alimtalk', challengeToken: 'tok' })))).toBe('unsupported_channel');
    expect(verifier.seen).toEqual([]);
  });

  it('lets a test number through without a token, and asks the service nothing', async () => {
    const { service, verifier, reads } = setup();
    expect((await service.send(testNumber)).testNumber).toBe(true);
    expect(verifier.seen).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('judges the token before the number’s own limits: a send inside the cooldown spends its token, then meets resend_too_soon', async () => {
    const { service, verifier } = setup();
    await service.send(phone, { challengeToken: 'first' });
    expect(codeOf(await attempt(service.send(phone, { challengeToken: 'second' })))).toBe('resend_too_soon');
    expect(verifier.seen.map((s) => s.token)).toEqual(['first', 'second']);
  });

  it('reads the item only for a keyed send (one read), never for one without a key', async () => {
    const { service, reads } = setup();
    await service.send(phone, { challengeToken: 'tok' });
    expect(reads).toEqual([]);
    await service.send(parsePhoneNumber('010-2222-3333', new Set(['KR'])), { challengeToken: 'tok', idempotencyKey: 'k' });
    expect(reads).toEqual(['+821022223333']);
  });
});

describe('a keyed retry where a challenge is required', () => {
  it('gets the stored 202 back without a token and without asking the service', async () => {
    const { service, verifier, sender } = setup();
    const first = await service.send(phone, { idempotencyKey: 'key-1', challengeToken: 'tok' });
    const retry = await service.send(phone, { idempotencyKey: 'key-1' });
    expect(retry).toEqual({ response: first.response, replayed: true });
    expect(verifier.seen).toHaveLength(1);
    expect(sender.messages).toHaveLength(1);
  });

  it('meets 409 while the first is still in flight, without spending its token', async () => {
    const { service, verifier, sender } = setup();
    const held = sender.hold();
    const first = service.send(phone, { idempotencyKey: 'key-1', challengeToken: 'tok-1' });
    await held.entered;
    expect(codeOf(await attempt(service.send(phone, { idempotencyKey: 'key-1', challengeToken: 'tok-2' })))).toBe('request_in_progress');
    held.release();
    await first;
    expect(verifier.seen.map((s) => s.token)).toEqual(['tok-1']);
  });

  it('counts the first send in flight for as long as it may run, its challenge’s limit included (the lease)', async () => {
    const { service, sender, clock } = setup();
    const held = sender.hold();
    const first = service.send(phone, { idempotencyKey: 'key-1', challengeToken: 'tok-1' });
    await held.entered;
    clock.advance(worstSendMs({ smsTimeoutMs: 5000, storeAllowanceMs: STORE_ALLOWANCE_MS, challengeTimeoutMs: 3000 }));
    expect(codeOf(await attempt(service.send(phone, { idempotencyKey: 'key-1' })))).toBe('request_in_progress');
    held.release();
    await first;
  });

  it('with another key is a new send: it needs its own token', async () => {
    const { service, verifier } = setup();
    await service.send(phone, { idempotencyKey: 'key-1', challengeToken: 'tok-1' });
    expect(codeOf(await attempt(service.send(phone, { idempotencyKey: 'key-2' })))).toBe('challenge_required');
    expect(verifier.seen).toHaveLength(1);
  });
});

describe('CHALLENGE_WHEN=tripped', () => {
  it('asks nothing while the guard says clear (no token, no read, no verification)', async () => {
    const guard = new FixedGuard();
    const { service, verifier, reads, sender } = setup('tripped', guard);
    await service.send(phone, { idempotencyKey: 'k' });
    expect(sender.messages).toHaveLength(1);
    expect(verifier.seen).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('asks for a token while the destination’s group is tripped, and stops asking when the trip is over', async () => {
    const guard = new FixedGuard({ kind: 'tripped', until: Date.now() + 3_600_000, group: 'KR' });
    const { service, verifier, clock } = setup('tripped', guard);
    expect(codeOf(await attempt(service.send(phone)))).toBe('challenge_required');
    await service.send(phone, { challengeToken: 'tok' });
    expect(verifier.seen).toHaveLength(1);
    guard.current = { kind: 'clear' };
    clock.advance(60_000);
    await service.send(phone);
    expect(verifier.seen).toHaveLength(1);
  });

  it('without a guard every destination is clear: nobody is asked', async () => {
    const { service, verifier, sender } = setup('tripped');
    await service.send(phone);
    expect(verifier.seen).toEqual([]);
    expect(sender.messages).toHaveLength(1);
  });
});

describe('a send where no challenge is configured', () => {
  it('ignores a token it is given: nothing is verified', async () => {
    const sender = new RecordingSender();
    const { service } = memoryService({}, new InMemoryVerificationStore(), sender);
    await service.send(phone, { challengeToken: 'tok' });
    expect(sender.messages).toHaveLength(1);
  });
});
