import { checkCodeRoute } from '../../functions/check-code';
import { lambdaHandler } from '../../functions/http/api';
import { buildRuntime, documentClient } from '../../functions/runtime';
import { sendCodeRoute } from '../../functions/send-code';
import { SENS_TEST_CREDENTIALS, codeIn, sensEnv, startSens, type SensEmulator } from '../support/sens';
import { wrong } from '../support/fakes';
import { testTables } from '../support/harness';
import { captureOutput } from '../support/output';
import { ALL_PARTS, TEST_SECRETS, handlerFor, parseResult, postEvent } from '../support/http-events';

describe('log hygiene: a full flow with every log level on', () => {
  let captured: ReturnType<typeof captureOutput>;
  let sens: SensEmulator;

  beforeAll(async () => {
    captured = captureOutput();
    sens = await startSens();
  }, 10_000);

  afterAll(async () => {
    captured.restore();
    await sens?.close();
  }, 10_000);

  it('never prints a code, a token, a secret or a full phone number', async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
    const tables = await testTables(endpoint);
    const runtime = await buildRuntime(
      {
        ...TEST_SECRETS,
        ...tables,
        DYNAMODB_ENDPOINT: endpoint,
        ...sensEnv(sens),
        RESEND_COOLDOWN_SECONDS: '0',
      },
      { db: documentClient({ dynamodbEndpoint: endpoint }, {}, { connectionMs: 10_000, requestMs: 30_000 }) },
      ALL_PARTS,
    );
    const send = handlerFor(sendCodeRoute, runtime);
    const check = handlerFor(checkCodeRoute, runtime);
    const number = { phoneNumber: '010-1234-5678' };

    expect((await send(postEvent('/v1/verifications', number, { 'Idempotency-Key': 'hygiene-1' }))).status).toBe(202);
    expect((await send(postEvent('/v1/verifications', number, { 'Idempotency-Key': 'hygiene-1' }))).status).toBe(202);
    const code = codeIn(sens.accepted.at(-1)?.content) ?? '';
    expect(code).toMatch(/^[0-9]{6}$/);
    expect((await check(postEvent('/v1/verifications/check', { phoneNumber: '+821012345678', code: wrong(code) }))).status).toBe(400);
    const approved = await check(postEvent('/v1/verifications/check', { phoneNumber: '+821012345678', code }));
    expect(approved.status).toBe(200);
    expect(sens.refusals).toEqual([]);
    sens.mode = 'fail500';
    expect((await send(postEvent('/v1/verifications', number))).status).toBe(502);
    sens.mode = 'hang';
    expect((await send(postEvent('/v1/verifications', number))).status).toBe(504);
    const bug = lambdaHandler(sendCodeRoute, async () => Promise.reject(new Error(`runtime failed for ${runtime.config.tableName}`)));
    expect(parseResult(await bug(postEvent('/v1/verifications', number))).status).toBe(500);

    // The logs are there (so this test can fail), and say what an operator needs.
    const output = captured.text();
    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.filter((l) => l.includes('"message":"request"'))).toHaveLength(7);
    expect(output).toContain('+82 10-****-5678');
    expect(output).toContain('SENS refused the message: HTTP 500');
    expect(output).toContain(`"smsRequestId":"${sens.accepted[0]?.requestId}"`);

    const forbidden = {
      code,
      token: String(approved.json.token),
      'token payload': String(approved.json.token).split('.')[1] ?? '',
      'E.164 number': '+821012345678',
      'national number': '01012345678',
      'dashed number': '010-1234-5678',
      'bare national number': '1012345678',
      'token signing key': TEST_SECRETS.TOKEN_SIGNING_KEY.split('\n')[1] ?? 'the PEM body',
      'code hash secret': TEST_SECRETS.CODE_HASH_SECRET,
      'SENS secret key': SENS_TEST_CREDENTIALS.secretKey,
      'SENS access key': SENS_TEST_CREDENTIALS.accessKey,
    };
    for (const [what, value] of Object.entries(forbidden)) expect({ what, leaked: output.includes(value) }).toEqual({ what, leaked: false });
  });

  // docs/api.md: the request id is on every log line of that request, the lines adapters write deep
  // inside it included (the providers' attempts), with requests served at once as npm start does.
  it('gives every line of a request the request’s id, the SMS provider attempts’ included', async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
    const runtime = await buildRuntime(
      { ...TEST_SECRETS, ...(await testTables(endpoint)), DYNAMODB_ENDPOINT: endpoint, ...sensEnv(sens) },
      { db: documentClient({ dynamodbEndpoint: endpoint }, {}, { connectionMs: 10_000, requestMs: 30_000 }) },
      ALL_PARTS,
    );
    const send = handlerFor(sendCodeRoute, runtime);
    sens.mode = 'ok';
    const printed = captured.text().length;
    const answers = await Promise.all(['010-1234-5678', '010-2222-3333', '010-4444-5555'].map((n) => send(postEvent('/v1/verifications', { phoneNumber: n }))));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const lines = captured
      .text()
      .slice(printed)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; requestId?: string; provider?: string });
    const attempts = lines.filter((l) => l.message === 'sms attempt');
    expect(attempts.map((l) => l.requestId).sort()).toEqual(answers.map((a) => a.headers['X-Request-Id']).sort());
    expect(lines.filter((l) => l.requestId === undefined)).toEqual([]);
  });
});
