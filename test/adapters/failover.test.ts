import { AwsSmsSender, awsSmsClient } from '../../functions/adapters/aws-sms-sender';
import { FailoverSender, type AttemptOutcome } from '../../functions/adapters/failover-sender';
import { LambdaSmsSender, lambdaClient } from '../../functions/adapters/lambda-sms-sender';
import { SensSmsSender } from '../../functions/adapters/sens-sms-sender';
import { CodeHasher } from '../../functions/domain/code';
import { VerificationError } from '../../functions/domain/errors';
import type { MessageFormat } from '../../functions/domain/message';
import { parsePhoneNumber, type PhoneNumber } from '../../functions/domain/phone';
import type { SmsSender } from '../../functions/domain/ports';
import type { AwsSmsSettings } from '../../functions/config';
import { VerificationService } from '../../functions/domain/verification-service';
import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { TokenIssuer } from '../../functions/domain/token';
import { awsClientTarget, useAws, type AwsEmulator } from '../support/aws';
import { TestClock } from '../support/fakes';
import { InMemoryAbuseCounters, InMemoryVerificationStore } from '../support/memory-store';
import { ALIMTALK_TEST, SENS_TEST_CREDENTIALS, codeIn, startSens, type SensEmulator } from '../support/sens';
import { STORE_ALLOWANCE_MS, TEST_POLICY } from '../support/service';

/**
 * Ordered failover (docs/channels.md, "Providers and failover") with every provider's real
 * client against the vendored stand-ins: the SENS emulator, and the AWS emulator's End User
 * Messaging SMS and Lambda Invoke. Each rule has its case; none talks to a fake of ours.
 */
const KR = new Set(['KR']);
const phone = parsePhoneNumber('010-1234-5678', KR);
const HOOK = 'phone-verify-sms-hook';
const ORIGINATION = '+12065550100';

describe('SMS providers in order, against the SENS and AWS stand-ins', () => {
  const aws = useAws([], { originationIdentities: [ORIGINATION], configurationSets: ['phone-verify'] });
  let emu: AwsEmulator;
  let sens: SensEmulator;
  let hookAnswer: (event: Record<string, unknown>) => unknown;
  beforeAll(async () => {
    sens = await startSens();
  }, 10_000);
  afterAll(() => sens.close(), 10_000);
  beforeEach(() => {
    emu = aws();
    emu.blockedCountries.clear();
    sens.mode = 'ok';
    sens.accepted.length = 0;
    sens.refusals.length = 0;
    hookAnswer = () => ({ status: 'sent', messageId: 'hook-1' });
    emu.lambda.register(HOOK, (event: Record<string, unknown>) => hookAnswer(event), { timeoutSeconds: 1 });
  });

  /** What a test makes a stand-in refuse on purpose; anything else either stand-in refused fails it. */
  let provoked: RegExp[] = [];
  beforeEach(() => {
    provoked = [/\(injected\)/];
  });
  afterEach(() => {
    expect([...sens.refusals, ...emu.refusals].filter((r) => !provoked.some((p) => p.test(r)))).toEqual([]);
  });

  const attempts: Array<[string, AttemptOutcome]> = [];
  let failovers = 0;
  beforeEach(() => {
    attempts.length = 0;
    failovers = 0;
  });
  const recorder = { attempt: (p: string, o: AttemptOutcome) => attempts.push([p, o]), failover: () => (failovers += 1) };

  const AWS_SETTINGS = { originationIdentity: ORIGINATION, configurationSetName: 'phone-verify' };
  const providers = (timeoutMs: number, awsSettings: AwsSmsSettings = AWS_SETTINGS) => ({
    sens: new SensSmsSender(
      { ...SENS_TEST_CREDENTIALS, alimtalkServiceId: ALIMTALK_TEST.alimtalkServiceId, plusFriendId: ALIMTALK_TEST.plusFriendId },
      { endpoint: sens.url, timeoutMs },
    ),
    aws: new AwsSmsSender(awsSmsClient(awsClientTarget(emu)), awsSettings, timeoutMs),
    lambda: new LambdaSmsSender(lambdaClient(awsClientTarget(emu)), HOOK, timeoutMs),
  });

  /** The real service over `names`, in order, on an in-memory store and counters. */
  function service(names: Array<'sens' | 'aws' | 'lambda'>, options: { budget?: number; timeoutMs?: number; alimtalk?: boolean; aws?: AwsSmsSettings } = {}) {
    const timeoutMs = options.timeoutMs ?? 1000;
    const all = providers(timeoutMs, options.aws);
    const senders: SmsSender[] = names.map((n) => all[n]);
    const store = new InMemoryVerificationStore();
    const counters = new InMemoryAbuseCounters();
    const message: MessageFormat = {
      template: '[phone-verify] 인증번호 [{code}]를 입력해주세요.',
      defaultChannel: options.alimtalk ? 'alimtalk' : 'sms',
      ...(options.alimtalk && { alimtalk: { templateCode: ALIMTALK_TEST.templateCode, template: ALIMTALK_TEST.configured } }),
    };
    const svc = new VerificationService({
      store,
      counters,
      sender: new FailoverSender(senders, recorder),
      clock: new TestClock(),
      hasher: new CodeHasher('unit-test-secret-0123456789abcdef'),
      tokens: new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 600 }, LocalTokenKeys.from(undefined)),
      policy: { ...TEST_POLICY, smsTimeoutMs: timeoutMs, smsBudgetPerHour: options.budget ?? 1000, resendCooldownMs: 0 },
      message,
      storeAllowanceMs: STORE_ALLOWANCE_MS,
    });
    return { svc, store, counters };
  }

  const smsCalls = () => emu.calls.filter((c) => c.service === 'sms');
  const expectRefused = async (promise: Promise<unknown>, code: string) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).code).toBe(code);
  };

  it('SENS answers 500 → AWS gets the message, once, and the send settles with provider aws', async () => {
    sens.mode = 'fail500';
    const { svc, store } = service(['sens', 'aws']);
    const outcome = await svc.send(phone);
    expect(outcome.provider).toBe('aws');
    expect(emu.sms).toHaveLength(1);
    expect(emu.sms[0]).toMatchObject({
      to: phone.e164,
      messageType: 'TRANSACTIONAL',
      originationIdentity: ORIGINATION,
      configurationSetName: 'phone-verify',
    });
    // The seconds the code had left when AWS was asked, SENS's refusal taken off: under 300.
    expect(emu.sms[0]?.timeToLive).toBeLessThan(300);
    expect(emu.sms[0]?.timeToLive).toBeGreaterThanOrEqual(295);
    expect(codeIn(emu.sms[0]!.body)).toMatch(/^[0-9]{6}$/);
    expect(store.items.get(phone.e164)?.provider).toBe('aws');
    expect(attempts).toEqual([
      ['sens', 'refused'],
      ['aws', 'accepted'],
    ]);
    expect(failovers).toBe(1);
  });

  it('SENS hangs → 504 within SMS_TIMEOUT_MS, and AWS is asked nothing (the SMS may still arrive)', async () => {
    sens.mode = 'hang';
    const { svc, store } = service(['sens', 'aws'], { timeoutMs: 300 });
    await expectRefused(svc.send(phone), 'sms_provider_timeout');
    expect(smsCalls()).toEqual([]);
    expect(store.items.get(phone.e164)?.sendState).toBe('timed_out');
    expect(attempts).toEqual([['sens', 'timed_out']]);
  });

  it('SENS answers a 202 that is not its success → 504, no failover (it may have accepted)', async () => {
    sens.mode = 'garbage';
    const { svc } = service(['sens', 'aws']);
    await expectRefused(svc.send(phone), 'sms_provider_timeout');
    expect(smsCalls()).toEqual([]);
  });

  it.each([
    // An identity that breaks the model's pattern: ValidationException.
    ['validation', (): void => undefined, 'ok' as const, { originationIdentity: 'not an identity!' }, /ValidationException.*originationIdentity/],
    // An origination identity the account does not have: ResourceNotFoundException.
    ['an identity the account does not have', (): void => undefined, 'ok' as const, { originationIdentity: '+19995550100' }, /ResourceNotFoundException/],
    ['throttling', (): void => undefined, 'throttle' as const, AWS_SETTINGS, /Throttling/],
    [
      'a country its protect configuration blocks',
      (): void => {
        emu.blockedCountries.add('KR');
      },
      'ok' as const,
      AWS_SETTINGS,
      /ConflictException: Destination country KR is blocked/,
    ],
  ])('AWS refuses (%s) → the next provider; the last → 502 with the number exactly as it was', async (_label, arrange, mode, awsSettings, refusal) => {
    arrange();
    emu.mode.sms = mode;
    provoked.push(refusal);
    const next = service(['aws', 'lambda'], { aws: awsSettings });
    expect((await next.svc.send(phone)).provider).toBe('lambda');
    // The stand-in refused it for the reason named, not for another.
    expect(emu.refusals.join('\n')).toMatch(refusal);
    expect(emu.invocations.filter((i) => i.functionName === HOOK)).toHaveLength(1);

    const last = service(['aws'], { aws: awsSettings });
    await expectRefused(last.svc.send(phone), 'sms_delivery_failed');
    // A first send refused: its reservation is gone, as if nothing had been asked.
    expect(last.store.items.get(phone.e164)).toBeUndefined();
    expect(emu.sms).toEqual([]);
  });

  it('an AWS call that gets a 500 is made once: the SDK does not retry it', async () => {
    emu.mode.sms = 'fail500';
    const { svc } = service(['aws']);
    await expectRefused(svc.send(phone), 'sms_delivery_failed');
    expect(smsCalls()).toHaveLength(1);
  });

  it('a Lambda call that gets a 500 is made once too: the SDK does not retry the hook', async () => {
    emu.mode.lambda = 'fail500';
    const { svc } = service(['lambda']);
    await expectRefused(svc.send(phone), 'sms_delivery_failed');
    expect(emu.calls.filter((c) => c.service === 'lambda')).toHaveLength(1);
  });

  it('gives AWS the time the code has left as TimeToLive (at least 5 s)', async () => {
    const sender = providers(1000).aws;
    await sender.send({ channel: 'sms', to: phone, text: 'x' }, { timeoutMs: 1000, code: '1', expiresAt: '', codeTtlMs: 2_900 });
    await sender.send({ channel: 'sms', to: phone, text: 'y' }, { timeoutMs: 1000, code: '1', expiresAt: '', codeTtlMs: 120_000 });
    expect(emu.sms.map((m) => m.timeToLive)).toEqual([5, 120]);
  });

  it('after a failover, AWS’s TimeToLive is what the code has left when AWS is asked', async () => {
    emu.lambda.register(HOOK, () => new Promise((resolve) => setTimeout(() => resolve({ status: 'failed', reason: 'no route' }), 2200)), { timeoutSeconds: 5 });
    const { svc } = service(['lambda', 'aws'], { timeoutMs: 5000 });
    expect((await svc.send(phone)).provider).toBe('aws');
    // 300 s when the send started; the hook took 2.2 s of them.
    const [ttl] = emu.sms.map((m) => m.timeToLive);
    expect(emu.sms).toHaveLength(1);
    expect(ttl).toBeLessThanOrEqual(297);
    expect(ttl).toBeGreaterThanOrEqual(290);
  });

  it('the hook receives the documented event and its "sent" is a send', async () => {
    const seen: Array<Record<string, unknown>> = [];
    hookAnswer = (event) => (seen.push(event), { status: 'sent', messageId: 'vendor-42' });
    const { svc } = service(['lambda']);
    const outcome = await svc.send(phone);
    expect(outcome).toMatchObject({ provider: 'lambda', providerRequestId: 'vendor-42' });
    expect(seen).toEqual([
      {
        version: 1,
        phoneNumber: '+821012345678',
        countryCallingCode: '82',
        nationalNumber: '1012345678',
        channel: 'sms',
        text: expect.stringMatching(/^\[phone-verify\] 인증번호 \[[0-9]{6}\]/),
        code: expect.stringMatching(/^[0-9]{6}$/),
        expiresAt: outcome.response.expiresAt,
      },
    ]);
    expect(codeIn(seen[0]!.text as string)).toBe(seen[0]!.code);
  });

  it.each([
    ['answers "failed"', () => ({ status: 'failed', reason: 'vendor said no to 01012345678' })],
    ['throws', () => Promise.reject(new Error('vendor down'))],
  ])('the hook %s → the next provider', async (_label, answer) => {
    hookAnswer = answer;
    provoked.push(/function error Error: vendor down$/);
    const { svc } = service(['lambda', 'aws']);
    expect((await svc.send(phone)).provider).toBe('aws');
    expect(emu.sms).toHaveLength(1);
    expect(attempts).toEqual([
      ['lambda', 'refused'],
      ['aws', 'accepted'],
    ]);
  });

  it('the hook hangs past its own timeout → 504 and nobody else is asked', async () => {
    hookAnswer = () => new Promise(() => undefined);
    provoked.push(/function error timeout: .* Task timed out after 1\.00 seconds$/);
    const { svc } = service(['lambda', 'aws'], { timeoutMs: 3000 });
    await expectRefused(svc.send(phone), 'sms_provider_timeout');
    expect(emu.invocations[0]?.error?.errorMessage).toMatch(/Task timed out after/);
    expect(smsCalls()).toEqual([]);
  });

  it('the hook answers neither "sent" nor "failed" → 504 (it may have sent)', async () => {
    hookAnswer = () => ({ ok: true });
    const { svc } = service(['lambda', 'aws']);
    await expectRefused(svc.send(phone), 'sms_provider_timeout');
    expect(smsCalls()).toEqual([]);
  });

  it('50 concurrent sends with sens,aws while SENS fails → each number gets exactly one message', async () => {
    sens.mode = 'fail500';
    const { svc } = service(['sens', 'aws'], { timeoutMs: 5000 });
    const numbers: PhoneNumber[] = Array.from({ length: 50 }, (_, i) => parsePhoneNumber(`010-${String(5000 + i)}-1234`, KR));
    const outcomes = await Promise.all(numbers.map((n) => svc.send(n)));
    expect(outcomes.every((o) => o.provider === 'aws')).toBe(true);
    const perNumber = new Map<string, number>();
    for (const m of emu.sms) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber.values()]).toEqual(Array(50).fill(1));
    expect(sens.accepted).toEqual([]);
  });

  it('the hourly budget counts every provider asked: a failover it cannot pay for is a 502', async () => {
    sens.mode = 'fail500';
    const spent = service(['sens', 'aws'], { budget: 1 });
    await expectRefused(spent.svc.send(phone), 'sms_delivery_failed');
    expect(smsCalls()).toEqual([]);

    const paid = service(['sens', 'aws'], { budget: 2 });
    expect((await paid.svc.send(phone)).provider).toBe('aws');
    // Both messages asked for are counted: the next send finds the budget spent before SENS.
    await expectRefused(paid.svc.send(parsePhoneNumber('010-2222-3333', KR)), 'sms_budget_exhausted');
  });

  it('a budget DynamoDB cannot count between two providers is its 503, and the number is put back', async () => {
    sens.mode = 'fail500';
    const { svc, store, counters } = service(['sens', 'aws']);
    const take = counters.take.bind(counters);
    let calls = 0;
    // The hourly counters answer; the failover's budget write then fails as DynamoDB would.
    counters.take = async (...args) =>
      (calls += 1) > 2 ? Promise.reject(new VerificationError('service_unavailable', { retryAfterSeconds: 2 })) : take(...args);
    await expectRefused(svc.send(phone), 'service_unavailable');
    expect(smsCalls()).toEqual([]);
    expect(store.items.get(phone.e164)).toBeUndefined();
  });

  it('an Alimtalk SENS refused goes on as an SMS through the next provider, and the 202 says "sms"', async () => {
    sens.mode = 'fail500';
    const { svc, store } = service(['aws', 'sens'], { alimtalk: true });
    const outcome = await svc.send(phone);
    expect(outcome.response.channel).toBe('sms');
    expect(attempts.map(([p]) => p)).toEqual(['sens', 'aws']);
    expect(emu.sms).toHaveLength(1);
    expect(store.items.get(phone.e164)?.channel).toBe('sms');
  });

  it('an Alimtalk goes to SENS first, whatever its place in the list', async () => {
    const { svc } = service(['aws', 'sens'], { alimtalk: true });
    expect((await svc.send(phone)).response.channel).toBe('alimtalk');
    expect(sens.accepted.map((m) => m.channel)).toEqual(['alimtalk']);
    expect(smsCalls()).toEqual([]);
  });
});
