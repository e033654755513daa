import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import fc from 'fast-check';
import { CodeHasher } from '../../functions/domain/code';
import { VerificationError } from '../../functions/domain/errors';
import { parsePhoneNumber, type PhoneNumber } from '../../functions/domain/phone';
import { TokenIssuer } from '../../functions/domain/token';
import { DAILY_WINDOW_MS } from '../../functions/domain/send-rules';
import { VerificationService, type VerificationPolicy } from '../../functions/domain/verification-service';
import { hasPendingCode, lockInForce } from '../../functions/domain/send-rules';
import { withoutSeq } from '../support/items';
import { InMemoryAbuseCounters, InMemoryVerificationStore } from '../support/memory-store';
import { RecordingSender, TestClock, wrong } from '../support/fakes';
import { STORE_ALLOWANCE_MS } from '../support/service';

// The first and the third share a range (all but the last 4 digits); the second is in another.
const NUMBERS: PhoneNumber[] = ['010-1234-5678', '010-9999-0000', '010-1234-0001'].map((n) => parsePhoneNumber(n, new Set(['KR'])));

type Op =
  | { kind: 'send'; who: number; sms: 'ok' | 'refuse' | 'timeout'; key?: string | undefined }
  | { kind: 'check'; who: number; right: boolean }
  | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      who: fc.nat(2),
      sms: fc.constantFrom('ok' as const, 'ok' as const, 'refuse' as const, 'timeout' as const),
      key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('check' as const), who: fc.nat(2), right: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 30 * 3600_000 })) }),
  },
);

const policies: fc.Arbitrary<VerificationPolicy> = fc.record({
  codeLength: fc.constant(6),
  codeTtlMs: fc.constantFrom(2_000, 300_000),
  maxCheckAttempts: fc.integer({ min: 1, max: 5 }),
  resendCooldownMs: fc.constantFrom(0, 60_000),
  maxSendsPerDay: fc.integer({ min: 1, max: 5 }),
  smsTimeoutMs: fc.constant(5_000),
  // Small enough that random runs reach it: locks, their doubling and their end are exercised too.
  maxFailedGuesses: fc.integer({ min: 2, max: 8 }),
  lockMaxMs: fc.constantFrom(60_000, 3_600_000, 86_400_000),
  smsBudgetPerHour: fc.integer({ min: 0, max: 4 }),
  maxSendsPerPrefixPerHour: fc.integer({ min: 0, max: 3 }),
  testNumbers: fc.constant(new Map<string, string>()),
});

const HOUR = 3_600_000;

describe('the verification rules, for any interleaving of sends, checks and clock steps', () => {
  it('hold every invariant of docs/limits.md', async () => {
    await fc.assert(
      fc.asyncProperty(policies, fc.array(op, { maxLength: 60 }), async (policy, ops) => {
        const store = new InMemoryVerificationStore();
        const sender = new RecordingSender();
        const clock = new TestClock();
        const hasher = new CodeHasher('property-test-secret-0123456789ab');
        const handed: Array<{ e164: string; at: number }> = []; // every message the provider was asked to send
        const service = new VerificationService({
          store,
          clock,
          policy,
          counters: new InMemoryAbuseCounters(),
          sender: { provider: sender.provider, send: (m) => (handed.push({ e164: m.to.e164, at: clock.now() }), sender.send(m)) },
          hasher,
          tokens: new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 600 }, LocalTokenKeys.from(undefined)),
          message: { template: '[{code}]', defaultChannel: 'sms' },
          storeAllowanceMs: STORE_ALLOWANCE_MS,
        });
        const evaluated = new Map<string, number>(); // sendId → checks evaluated against that code
        const approvals = new Map<string, number>();
        const charged: Array<{ who: number; at: number }> = []; // SMS handed to the provider (ok or timed out)

        for (const step of ops) {
          if (step.kind === 'wait') {
            clock.advance(step.ms);
            continue;
          }
          const phone = NUMBERS[step.who] as PhoneNumber;
          if (step.kind === 'send') {
            sender.mode = step.sms;
            const before = sender.messages.length;
            const itemBefore = store.items.get(phone.e164);
            try {
              await service.send(phone, { idempotencyKey: step.key });
            } catch (error) {
              if (!(error instanceof VerificationError)) throw error;
              // A send refused by a ceiling leaves the number exactly as it was: no code behind.
              // (Its writes still raise `seq`, the item's write counter: not part of the number's state.)
              if (error.code === 'number_range_limited' || error.code === 'sms_budget_exhausted')
                expect(withoutSeq(store.items.get(phone.e164))).toEqual(withoutSeq(itemBefore));
            }
            if (sender.messages.length > before) charged.push({ who: step.who, at: clock.now() });
            continue;
          }
          const pending = store.items.get(phone.e164);
          const delivered = sender.messages
            .filter((m) => m.to.e164 === phone.e164)
            .at(-1)
            ?.text.slice(1, 7);
          const code = delivered === undefined ? '000000' : step.right ? delivered : wrong(delivered);
          // A lock in force wins over used-up attempts and loses to nothing pending (docs/limits.md).
          const locked = hasPendingCode(pending, clock.now()) && lockInForce(pending, clock.now()) !== undefined;
          const allowed = hasPendingCode(pending, clock.now()) && !locked && (pending?.attempts ?? 0) < (pending?.maxAttempts ?? 0);
          let outcome: string;
          try {
            await service.check(phone, code);
            outcome = 'approved';
          } catch (error) {
            if (!(error instanceof VerificationError)) throw error;
            outcome = error.code;
          }
          if (locked) expect(outcome).toBe('verification_locked');
          if (outcome === 'approved' || outcome === 'incorrect_code') {
            const id = pending?.sendId ?? 'none';
            evaluated.set(id, (evaluated.get(id) ?? 0) + 1);
            // At most maxAttempts checks are ever evaluated against one code.
            expect(evaluated.get(id)).toBeLessThanOrEqual(policy.maxCheckAttempts);
          }
          if (outcome === 'approved') {
            const id = pending?.sendId ?? 'none';
            approvals.set(id, (approvals.get(id) ?? 0) + 1);
            expect(approvals.get(id)).toBe(1); // a code is approved at most once
            expect(pending?.codeExpiresAt ?? 0).toBeGreaterThan(clock.now()); // an expired code never approves
          }
          // The right, latest code is approved whenever the rules allow a check at all.
          if (step.right && delivered !== undefined && allowed && pending?.codeHash === hasher.hash(phone.e164, delivered)) {
            expect(outcome).toBe('approved');
          }
        }

        // Per clock hour: the provider is asked at most the budget, and at most the range limit per range.
        const perHour = new Map<string, number>();
        for (const { e164, at } of handed) {
          const hour = Math.floor(at / HOUR);
          for (const [key, max] of [
            [`budget#${hour}`, policy.smsBudgetPerHour],
            [`range#${e164.slice(0, -4)}#${hour}`, policy.maxSendsPerPrefixPerHour],
          ] as const) {
            perHour.set(key, (perHour.get(key) ?? 0) + 1);
            if (max > 0) expect(perHour.get(key)).toBeLessThanOrEqual(max);
          }
        }

        for (const who of [0, 1, 2]) {
          const times = charged.filter((c) => c.who === who).map((c) => c.at);
          // The cooldown holds between any two SMS to one number.
          for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(policy.resendCooldownMs);
          // At most maxSendsPerDay SMS in each fixed 24 h window.
          let windowStart = Number.NEGATIVE_INFINITY;
          let inWindow = 0;
          for (const t of times) {
            if (t >= windowStart + DAILY_WINDOW_MS) {
              windowStart = t;
              inWindow = 0;
            }
            inWindow += 1;
            expect(inWindow).toBeLessThanOrEqual(policy.maxSendsPerDay);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
