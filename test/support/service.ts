import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { TokenIssuer } from '../../functions/domain/token';
import { CodeHasher } from '../../functions/domain/code';
import { VerificationService, type VerificationPolicy, type VerificationServiceDeps } from '../../functions/domain/verification-service';
import { RecordingSender, TestClock } from './fakes';
import { InMemoryAbuseCounters, InMemoryVerificationStore } from './memory-store';

/** The defaults of docs/configuration.md, for tests of the service's own logic. */
export const TEST_POLICY: VerificationPolicy = {
  codeLength: 6,
  codeTtlMs: 300_000,
  maxCheckAttempts: 5,
  resendCooldownMs: 60_000,
  maxSendsPerDay: 5,
  smsTimeoutMs: 5000,
  smsBudgetPerHour: 1000,
  maxSendsPerPrefixPerHour: 30,
  maxFailedGuesses: 50,
  lockMaxMs: 86_400_000,
  testNumbers: new Map(),
};

/** In memory, the store's allowance never binds: these tests are about the rules, not the time. */
export const STORE_ALLOWANCE_MS = 60_000;

/** The real service on the in-memory store (held to DynamoDB's by the contract suite), a recording sender and a test clock. */
export function memoryService(
  policy: Partial<VerificationPolicy> = {},
  store = new InMemoryVerificationStore(),
  sender = new RecordingSender(),
  extra: Pick<VerificationServiceDeps, 'guard' | 'challenge'> = {},
) {
  const clock = new TestClock();
  const service = new VerificationService({
    store,
    sender,
    clock,
    counters: new InMemoryAbuseCounters(),
    hasher: new CodeHasher('unit-test-secret-0123456789abcdef'),
    tokens: new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 600 }, LocalTokenKeys.from(undefined)),
    policy: { ...TEST_POLICY, ...policy },
    message: { template: '[{code}]', defaultChannel: 'sms' },
    storeAllowanceMs: STORE_ALLOWANCE_MS,
    ...extra,
  });
  return { store, sender, clock, service };
}

/** The error a promise rejects with, or its value. */
export const attempt = <T>(promise: Promise<T>) => promise.catch((error: unknown) => error);
