import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { CodeHasher } from '../../functions/domain/code';
import { VerificationError } from '../../functions/domain/errors';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { TokenIssuer } from '../../functions/domain/token';
import { VerificationService } from '../../functions/domain/verification-service';
import { InMemoryAbuseCounters, InMemoryVerificationStore } from '../support/memory-store';
import { RecordingSender, TestClock } from '../support/fakes';

const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));

function service(store: InMemoryVerificationStore, sender = new RecordingSender()) {
  return new VerificationService({
    store,
    sender,
    clock: new TestClock(),
    counters: new InMemoryAbuseCounters(),
    hasher: new CodeHasher('unit-test-secret-0123456789abcdef'),
    tokens: new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 600 }, LocalTokenKeys.from(undefined)),
    policy: {
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
    },
    message: { template: '[{code}]', defaultChannel: 'sms' },
  });
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
