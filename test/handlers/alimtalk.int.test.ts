import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { checkCodeRoute } from '../../functions/check-code';
import { buildRuntime, documentClient } from '../../functions/runtime';
import { sendCodeRoute } from '../../functions/send-code';
import { testTables } from '../support/harness';
import { ALL_PARTS, TEST_SECRETS, handlerFor, postEvent } from '../support/http-events';
import { alimtalkEnv, codeIn, sensEnv, startSens, type SensEmulator } from '../support/sens';

const E164 = '+821012345678';

describe('KakaoTalk Alimtalk with SMS failover, against the SENS emulator (docs/channels.md)', () => {
  let sens: SensEmulator;
  let item: () => Promise<Record<string, unknown> | undefined>;
  let tables: Awaited<ReturnType<typeof testTables>>;
  const endpoint = () => process.env.TEST_DYNAMODB_ENDPOINT ?? '';

  const service = async (env: Record<string, string> = {}) => {
    const runtime = await buildRuntime(
      {
        ...TEST_SECRETS,
        ...tables,
        DYNAMODB_ENDPOINT: endpoint(),
        RESEND_COOLDOWN_SECONDS: '0',
        ...sensEnv(sens),
        ...alimtalkEnv(),
        MESSAGE_CHANNEL: 'alimtalk',
        ...env,
      },
      {},
      ALL_PARTS,
    );
    const send = handlerFor(sendCodeRoute, runtime);
    const check = handlerFor(checkCodeRoute, runtime);
    return {
      send: (body: object = {}, headers: Record<string, string> = {}) =>
        send(postEvent('/v1/verifications', { phoneNumber: '010-1234-5678', ...body }, headers)),
      check: (code: string | undefined) => check(postEvent('/v1/verifications/check', { phoneNumber: E164, code })),
    };
  };

  beforeEach(async () => {
    sens = await startSens();
    tables = await testTables(endpoint());
    const db = documentClient({ dynamodbEndpoint: endpoint() });
    item = async () => (await db.send(new GetCommand({ TableName: tables.TABLE_NAME, Key: { phoneNumber: E164 } }))).Item;
  }, 30_000);
  afterEach(() => sens?.close(), 10_000);

  it('sends the approved template with the code filled in, and says so in the 202', async () => {
    const { send, check } = await service();
    const answer = await send();
    expect({ status: answer.status, channel: answer.json.channel }).toEqual({ status: 202, channel: 'alimtalk' });
    expect(sens.refusals).toEqual([]);
    expect(sens.accepted).toEqual([expect.objectContaining({ channel: 'alimtalk', templateCode: 'VERIFY_CODE', countryCode: '82', to: '01012345678' })]);
    expect((await check(codeIn(sens.accepted[0]?.content))).status).toBe(200);
  });

  it('falls over to the full SMS, auto-fill lines included, for a person without KakaoTalk', async () => {
    const { send, check } = await service({ WEBOTP_DOMAIN: 'app.example.com' });
    sens.nonKakaoUsers.add('01012345678');
    expect((await send()).status).toBe(202);
    expect(sens.refusals).toEqual([]);
    const [failover] = sens.accepted;
    expect(failover).toMatchObject({ channel: 'sms-failover', type: 'SMS', to: '01012345678' });
    const code = codeIn(failover?.content) ?? '';
    expect(failover?.content.split('\n')).toEqual([`[phone-verify] 인증번호 [${code}]를 입력해주세요.`, `@app.example.com #${code}`]);
    expect((await check(code)).status).toBe(200);
  });

  it('lets a request ask for SMS (WebOTP and the SMS Retriever read SMS only)', async () => {
    const { send } = await service();
    const answer = await send({ channel: 'sms' });
    expect(answer.json.channel).toBe('sms');
    expect(sens.accepted).toEqual([expect.objectContaining({ channel: 'sms', type: 'SMS' })]);
  });

  it('a template SENS has not approved is a refused send: 502, the number exactly as it was', async () => {
    const { send } = await service({ ALIMTALK_TEMPLATE_CODE: 'NOT_APPROVED' });
    expect((await send()).json.code).toBe('sms_delivery_failed');
    expect(sens.refusals).toEqual(['templateCode "NOT_APPROVED" is not an approved template']);
    expect(await item()).toBeUndefined();
  });

  it('a provider 500 is 502 with nothing charged; a hang is 504 with the code kept', async () => {
    const { send } = await service();
    sens.mode = 'fail500';
    expect((await send()).json.code).toBe('sms_delivery_failed');
    expect(await item()).toBeUndefined();
    sens.mode = 'hang';
    expect((await send()).json.code).toBe('sms_provider_timeout');
    expect(await item()).toMatchObject({ sendCount: 1, codeHash: expect.any(String) });
  });

  it('replays the original 202, channel included, for a retry with the same Idempotency-Key', async () => {
    const { send } = await service();
    const first = await send({}, { 'Idempotency-Key': 'alimtalk-1' });
    const again = await send({ channel: 'sms' }, { 'Idempotency-Key': 'alimtalk-1' });
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(again.json.channel).toBe('alimtalk');
    expect(sens.accepted).toHaveLength(1);
  });

  it('answers unsupported_channel where Alimtalk is not configured', async () => {
    const { send } = await service({ MESSAGE_CHANNEL: 'sms', ALIMTALK_TEMPLATE_CODE: '', ALIMTALK_TEMPLATE: '' });
    expect((await send({ channel: 'alimtalk' })).json.code).toBe('unsupported_channel');
    expect(sens.requests).toBe(0);
  });
});
