import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AwsSmsSender, awsSmsClient } from '../../functions/adapters/aws-sms-sender';
import { DynamoAbuseCounters } from '../../functions/adapters/dynamodb-counters';
import { DynamoVerificationStore } from '../../functions/adapters/dynamodb-store';
import { FailoverSender } from '../../functions/adapters/failover-sender';
import { SEND_DYNAMODB_ALLOWANCE_MS } from '../../functions/adapters/dynamodb-timeouts';
import { LocalTokenKeys } from '../../functions/adapters/local-token-keys';
import { SensSmsSender } from '../../functions/adapters/sens-sms-sender';
import { CodeHasher } from '../../functions/domain/code';
import { VerificationError } from '../../functions/domain/errors';
import { parsePhoneNumber } from '../../functions/domain/phone';
import { worstSendMs } from '../../functions/domain/send-time';
import { TokenIssuer } from '../../functions/domain/token';
import { VerificationService } from '../../functions/domain/verification-service';
import { documentClient } from '../../functions/runtime';
import { awsClientTarget, useAws, type AwsEmulator } from '../support/aws';
import { FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { testTables } from '../support/harness';
import { SENS_TEST_CREDENTIALS, startSens, type SensEmulator } from '../support/sens';
import { TEST_POLICY } from '../support/service';

/**
 * How long a send may take (docs/limits.md): SMS_TIMEOUT_MS for the providers, and the store's
 * allowance (one DynamoDB call's limit, as in AWS) for all its other DynamoDB calls together,
 * whatever DynamoDB does. The send's real parts on DynamoDB Local behind the fault proxy, whose
 * client has no limit of its own worth the name: only the allowance bounds it.
 */
const phone = parsePhoneNumber('010-1234-5678', new Set(['KR']));
const SMS_TIMEOUT_MS = 1000;
/** Timers and a loaded machine: the answer may come this much after the bound. */
const SLACK_MS = 750;

const isWrite = (r: ProxiedRequest, marker: string) => r.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem' && r.body.includes(marker);

describe('the worst send, on DynamoDB Local behind the fault proxy', () => {
  const aws = useAws();
  let emu: AwsEmulator;
  let sens: SensEmulator;
  let proxy: FaultProxy;
  let tables: { TABLE_NAME: string; LIMITS_TABLE_NAME: string };
  beforeAll(async () => {
    sens = await startSens();
    proxy = await FaultProxy.start(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
  }, 30_000);
  afterAll(async () => {
    await proxy?.stop();
    await sens?.close();
  }, 10_000);
  beforeEach(async () => {
    emu = aws();
    proxy.reset();
    sens.mode = 'ok';
    sens.accepted.length = 0;
    tables = await testTables(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
  }, 30_000);

  /** The send as the function runs it (SENS, then AWS End User Messaging), its DynamoDB through the proxy. */
  function service(budget = 1000) {
    const db = documentClient({ dynamodbEndpoint: proxy.url }, {}, { connectionMs: 60_000, requestMs: 60_000, attempts: 1 });
    const sender = new FailoverSender(
      [
        new SensSmsSender(SENS_TEST_CREDENTIALS, { endpoint: sens.url, timeoutMs: SMS_TIMEOUT_MS }),
        new AwsSmsSender(awsSmsClient(awsClientTarget(emu)), {}, SMS_TIMEOUT_MS),
      ],
      { attempt: () => undefined, failover: () => undefined },
    );
    const svc = new VerificationService({
      store: new DynamoVerificationStore(db, tables.TABLE_NAME),
      counters: new DynamoAbuseCounters(db, tables.LIMITS_TABLE_NAME),
      sender,
      clock: { now: () => Date.now() },
      hasher: new CodeHasher('unit-test-secret-0123456789abcdef'),
      tokens: new TokenIssuer({ issuer: 'i', audience: 'a', ttlSeconds: 600 }, LocalTokenKeys.from(undefined)),
      policy: { ...TEST_POLICY, smsTimeoutMs: SMS_TIMEOUT_MS, smsBudgetPerHour: budget },
      message: { template: '[phone-verify] 인증번호 [{code}]를 입력해주세요.', defaultChannel: 'sms' },
      storeAllowanceMs: SEND_DYNAMODB_ALLOWANCE_MS,
    });
    const item = async () => (await db.send(new GetCommand({ TableName: tables.TABLE_NAME, Key: { phoneNumber: phone.e164 }, ConsistentRead: true }))).Item;
    return { svc, item };
  }

  /** The send's answer (its problem code) and how long it took. */
  async function timed(send: Promise<unknown>): Promise<{ code: string; ms: number }> {
    const started = performance.now();
    const outcome = await send.catch((e: unknown) => e);
    return { code: outcome instanceof VerificationError ? outcome.code : 'sent', ms: performance.now() - started };
  }

  const worst = worstSendMs({ smsTimeoutMs: SMS_TIMEOUT_MS, storeAllowanceMs: SEND_DYNAMODB_ALLOWANCE_MS });

  it('SENS hangs and DynamoDB never answers the settling write: still a 504 within SMS_TIMEOUT_MS and the store’s allowance', async () => {
    sens.mode = 'hang';
    proxy.fault = 'hold';
    proxy.when = (r) => isWrite(r, '"timed_out"');
    const { code, ms } = await timed(service().svc.send(phone));
    expect(code).toBe('sms_provider_timeout');
    expect(ms).toBeLessThan(worst + SLACK_MS);
    expect(proxy.faulted.length).toBeGreaterThan(0);
    expect(emu.sms).toEqual([]);
  });

  it('DynamoDB never answers the hourly counters: a 503 within the allowance, and no provider asked', async () => {
    proxy.fault = 'hold';
    proxy.when = (r) => isWrite(r, 'budget#') || isWrite(r, 'range#');
    const { code, ms } = await timed(service().svc.send(phone));
    expect(code).toBe('service_unavailable');
    expect(ms).toBeLessThan(SEND_DYNAMODB_ALLOWANCE_MS + SLACK_MS);
    expect([sens.accepted, emu.sms]).toEqual([[], []]);
  });

  it('the failover’s budget write cut off by SMS_TIMEOUT_MS counts as charged: 502, the next provider never asked, the number as it was', async () => {
    sens.mode = 'fail500';
    let budgetWrites = 0;
    proxy.fault = 'hold';
    // The first budget write is the send's own (with the range's); the second pays for AWS.
    proxy.when = (r) => isWrite(r, 'budget#') && (budgetWrites += 1) === 2;
    const { svc, item } = service();
    const { code, ms } = await timed(svc.send(phone));
    expect(code).toBe('sms_delivery_failed');
    expect(ms).toBeLessThan(worst + SLACK_MS);
    expect(proxy.faulted).toHaveLength(1);
    expect(emu.sms).toEqual([]);
    expect(await item()).toBeUndefined();
  });
});
