import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { verifyPhoneToken } from 'phone-verify';
import { awsEnv, startAws, type AwsEmulator } from '../support/aws';
import { FaultProxy } from '../support/fault-proxy';
import { javaProcessesOn, startLocalServer, until, type LocalServer } from '../support/local-server';
import { rawRequest } from '../support/raw-http';
import { sensEnv, startSens } from '../support/sens';

describe('npm start (the real local server, as a user runs it)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  }, 30_000);

  const post = (path: string, body: unknown) =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('answers a browser preflight itself, as API Gateway does: 204 with the allowed method and headers', async () => {
    const answer = await fetch(`${server.base}/v1/verifications`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('publishes its key set at /.well-known/jwks.json: GET and HEAD, any origin, cacheable; other methods 405', async () => {
    const url = `${server.base}/.well-known/jwks.json`;
    const got = await fetch(url, { headers: { Origin: 'https://anywhere.example' } });
    expect(got.status).toBe(200);
    expect({ type: got.headers.get('content-type'), cache: got.headers.get('cache-control'), origin: got.headers.get('access-control-allow-origin') }).toEqual({
      type: 'application/json',
      cache: 'public, max-age=300',
      origin: '*',
    });
    const { keys } = (await got.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), use: 'sig', alg: 'ES256' }]);
    const head = await fetch(url, { method: 'HEAD' });
    expect({ status: head.status, cache: head.headers.get('cache-control'), body: await head.text() }).toEqual({
      status: 200,
      cache: 'public, max-age=300',
      body: '',
    });
    const post = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect({ status: post.status, allow: post.headers.get('allow'), code: ((await post.json()) as { code: string }).code }).toEqual({
      status: 405,
      allow: 'GET, HEAD',
      code: 'method_not_allowed',
    });
  });

  it('answers every other method at the key set 405 with Allow: GET, HEAD, whatever the body: the route is judged first', async () => {
    const bodies: Array<[string, string | undefined, string]> = [
      ['a JSON object', 'application/json', '{"keys":[]}'],
      ['a body that is not JSON', 'application/json', 'not json'],
      ['a text body', 'text/plain', 'hello'],
      ['a body over 4 KiB', 'application/json', JSON.stringify({ a: 'x'.repeat(5000) })],
      ['no body', undefined, ''],
    ];
    const answers: Array<Record<string, unknown>> = [];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'CONNECT', 'PROPFIND'])
      for (const [body, type, text] of bodies) {
        const answer = await rawRequest(
          server.base,
          `${method} /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\n${type ? `Content-Type: ${type}\r\n` : ''}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
        );
        answers.push({
          method,
          body,
          status: answer.status,
          allow: answer.headers.allow,
          requestId: /^[0-9a-f-]{36}$/.test(answer.headers['x-request-id'] ?? ''),
        });
      }
    expect(answers.filter((a) => a.status !== 405 || a.allow !== 'GET, HEAD' || !a.requestId)).toEqual([]);
  });

  it('serves the demo page at /', async () => {
    const page = await fetch(`${server.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('autocomplete="one-time-code"');
  });

  it('walks send → read the code from the console → check → verify the token, prints the lifecycle events, then stops Java on SIGTERM', async () => {
    const printed = server.output().length;
    const sent = await post('/v1/verifications', { phoneNumber: '010-1234-5678' });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => /인증번호 \[[0-9]+\]/.test(server.output().slice(printed))); // the SMS line may reach us after the 202
    const code = server.lastCode();
    expect(code).toMatch(/^[0-9]{6}$/);

    const checked = await post('/v1/verifications/check', { phoneNumber: '+821012345678', code });
    expect(checked.status).toBe(200);
    const { token } = (await checked.json()) as { token: string };
    // The README's backend example, with the values it gives for npm start: a URL, no secret.
    const env = { PHONE_VERIFY_JWKS_URL: `${server.base}/.well-known/jwks.json`, PHONE_VERIFY_ISSUER: 'phone-verify/local' };
    const { phoneNumber } = await verifyPhoneToken(token, { jwksUrl: env.PHONE_VERIFY_JWKS_URL, issuer: env.PHONE_VERIFY_ISSUER });
    expect(phoneNumber).toBe('+821012345678');
    // And the README's other library: jsonwebtoken with jwks-rsa, from the same URL.
    const client = new JwksClient({ jwksUri: env.PHONE_VERIFY_JWKS_URL });
    const { kid } = jwt.decode(token, { complete: true })?.header ?? {};
    const publicKey = (await client.getSigningKey(kid)).getPublicKey();
    expect(jwt.verify(token, publicKey, { algorithms: ['ES256'], issuer: env.PHONE_VERIFY_ISSUER, audience: 'phone-verify' })).toMatchObject({
      phone_number: '+821012345678',
      phone_number_verified: true,
    });
    // The lifecycle events, read from DynamoDB Local's stream, printed with the number masked; the
    // Verified one names the token's jti.
    const { jti } = jwt.decode(token) as { jti: string };
    await until(() => server.output().slice(printed).includes('📣 event Phone Number Verified'));
    const events = server
      .output()
      .slice(printed)
      .split('\n')
      .filter((l) => l.startsWith('📣 event'));
    expect(events.map((l) => l.match(/^📣 event ([A-Za-z ]+?)  /)?.[1])).toEqual(['Verification Code Sent', 'Phone Number Verified']);
    expect(events.every((l) => l.includes('+82 10-****-5678') && !l.includes('+821012345678'))).toBe(true);
    expect(events[1]).toContain(`"tokenId":"${jti}"`);

    // The log shows the masked number only, never the full one, the code or the token.
    const logLines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThanOrEqual(2);
    // Each line of the send carries its request id, the provider's attempt included.
    const sendLines = logLines
      .map((l) => JSON.parse(l) as { message: string; requestId?: string })
      .filter((l) => l.requestId === sent.headers.get('x-request-id'));
    expect(sendLines.map((l) => l.message)).toEqual(expect.arrayContaining(['sms attempt', 'request']));
    expect(logLines.join('\n')).toContain('+82 10-****-5678');
    for (const secret of ['+821012345678', '01012345678', code ?? '', token]) expect(logLines.join('\n')).not.toContain(secret);

    const dynamoPort = server.output().match(/DynamoDB Local at http:\/\/127\.0\.0\.1:([0-9]+)/)?.[1] ?? '';
    expect(javaProcessesOn(dynamoPort)).toHaveLength(1);
    expect(await server.stop()).toBe(0);
    expect(javaProcessesOn(dynamoPort)).toEqual([]);
  });
});

describe('npm start with DYNAMODB_ENDPOINT (a DynamoDB Local that is already running)', () => {
  it('uses it instead of starting Java, creating the table it needs', async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
    const server = await startLocalServer({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: `external-${Date.now()}` });
    try {
      expect(server.output()).toContain(`DynamoDB: ${endpoint}, tables external-`);
      expect(server.output()).not.toContain('embedded DynamoDB Local');
      const sent = await fetch(`${server.base}/v1/verifications`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"phoneNumber":"010-1234-5678"}',
      });
      expect(sent.status).toBe(202);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);

  it('stops with a clear message when the port is taken', async () => {
    const first = await startLocalServer({ DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '' });
    try {
      const port = new URL(first.base).port;
      const second = await startLocalServer({ DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '', PORT: port }).catch((e: Error) => e);
      expect(second).toBeInstanceOf(Error);
      expect(String(second)).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use (set PORT)`);
    } finally {
      await first.stop();
    }
  }, 120_000);
});

describe('npm start signing in KMS (TOKEN_KEY_ID, the AWS emulator through AWS_ENDPOINT_URL_KMS)', () => {
  let emu: AwsEmulator | undefined;
  let server: LocalServer | undefined;
  let keyArn = '';
  beforeAll(async () => {
    emu = await startAws();
    keyArn = emu.kms.createKey({ alias: 'phone-verify/local/token-k1' }).arn;
    server = await startLocalServer({
      ...awsEnv(emu),
      TOKEN_KEY_ID: keyArn,
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
      TABLE_NAME: `kms-${randomUUID()}`,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await emu?.close();
  }, 30_000);

  it('says so at start, signs every token in KMS, and a backend with only the JWKS URL verifies it (this package and jsonwebtoken)', async () => {
    const base = server?.base ?? '';
    expect(server?.output()).toContain(`Tokens: signed in KMS with ${keyArn}`);
    const printed = server?.output().length ?? 0;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/v1/verifications', { phoneNumber: '010-1234-5678' })).status).toBe(202);
    await until(() => /인증번호 \[[0-9]+\]/.test(server?.output().slice(printed) ?? ''));
    const checked = await post('/v1/verifications/check', { phoneNumber: '+821012345678', code: server?.lastCode() });
    expect(checked.status).toBe(200);
    const { token } = (await checked.json()) as { token: string };
    const jwksUrl = `${base}/.well-known/jwks.json`;
    expect((await verifyPhoneToken(token, { jwksUrl, issuer: 'phone-verify/local' })).phoneNumber).toBe('+821012345678');
    const { kid } = jwt.decode(token, { complete: true })?.header ?? {};
    const publicKey = (await new JwksClient({ jwksUri: jwksUrl }).getSigningKey(kid)).getPublicKey();
    expect(jwt.verify(token, publicKey, { algorithms: ['ES256'], issuer: 'phone-verify/local', audience: 'phone-verify' })).toMatchObject({
      sub: '+821012345678',
    });
    expect(emu?.calls.filter((c) => c.op === 'Sign').map((c) => (c.input as { KeyId: string }).KeyId)).toEqual([keyArn]);
    expect(emu?.refusals).toEqual([]);
  });
});

describe('npm start with SMS_PROVIDER=aws, then lambda (the AWS emulator through the SDK’s endpoint variables)', () => {
  let emu: AwsEmulator | undefined;
  const hookEvents: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    emu = await startAws();
    emu.lambda.register('phone-verify-sms-hook', (event: Record<string, unknown>) => (hookEvents.push(event), { status: 'sent', messageId: 'm-1' }));
  }, 30_000);
  afterAll(() => emu?.close(), 30_000);

  const walk = async (env: Record<string, string>, delivered: () => string | undefined) => {
    const server = await startLocalServer({
      ...awsEnv(emu!),
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: emu!.url,
      AWS_ENDPOINT_URL_LAMBDA: emu!.url,
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
      TABLE_NAME: `providers-${randomUUID()}`,
      ...env,
    });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${server.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/v1/verifications', { phoneNumber: '010-1234-5678' })).status).toBe(202);
      const code = delivered()?.match(/\[([0-9]{6})\]/)?.[1];
      expect(code).toMatch(/^[0-9]{6}$/);
      expect((await post('/v1/verifications/check', { phoneNumber: '+821012345678', code })).status).toBe(200);
      return server.output();
    } finally {
      await server.stop('SIGKILL');
    }
  };

  it('aws: End User Messaging gets the SMS, and the code in it verifies', async () => {
    const output = await walk({ SMS_PROVIDER: 'aws' }, () => emu?.sms.at(-1)?.body);
    expect(output).toContain(`SMS: AWS End User Messaging at ${emu!.url}`);
    expect(emu?.sms.map((m) => [m.to, m.messageType])).toEqual([['+821012345678', 'TRANSACTIONAL']]);
    expect(emu?.refusals).toEqual([]);
  }, 120_000);

  it('lambda: the registered hook gets the documented event, and its code verifies', async () => {
    const output = await walk({ SMS_PROVIDER: 'lambda', SMS_HOOK_FUNCTION: 'phone-verify-sms-hook' }, () => hookEvents.at(-1)?.text as string | undefined);
    expect(output).toContain('SMS: the function phone-verify-sms-hook');
    expect(hookEvents.at(-1)).toMatchObject({ version: 1, phoneNumber: '+821012345678', channel: 'sms' });
    expect(emu?.refusals).toEqual([]);
  }, 120_000);
});

describe('npm start with SMS_PROVIDER=aws,sens, AWS answering 200 with a body that is not JSON', () => {
  it('answers 504 (the SMS may have gone) and SENS sends nothing: one message, never two', async () => {
    const emu = await startAws();
    const sens = await startSens();
    const proxy = await FaultProxy.start(emu.url);
    proxy.fault = { swapBody: '<html>not json</html>' };
    let server: LocalServer | undefined;
    try {
      server = await startLocalServer({
        ...awsEnv(emu),
        ...sensEnv(sens, 1000),
        SMS_PROVIDER: 'aws,sens',
        AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: proxy.url,
        DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
        TABLE_NAME: `unreadable-${randomUUID()}`,
      });
      const sent = await fetch(`${server.base}/v1/verifications`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phoneNumber: '010-1234-5678' }),
      });
      expect({ status: sent.status, code: ((await sent.json()) as { code: string }).code }).toEqual({ status: 504, code: 'sms_provider_timeout' });
      expect(emu.sms.map((m) => m.to)).toEqual(['+821012345678']);
      expect(sens.accepted).toEqual([]);
      expect([...emu.refusals, ...sens.refusals]).toEqual([]);
    } finally {
      await server?.stop('SIGKILL');
      await proxy.stop();
      await sens.close();
      await emu.close();
    }
  }, 120_000);
});

describe('npm start with DynamoDB behind a link that loses the answer to the check’s decision', () => {
  it('approves the right code once: 200, not the 404 a retried write would give', async () => {
    const proxy = await FaultProxy.start(process.env.TEST_DYNAMODB_ENDPOINT ?? '');
    let server: LocalServer | undefined;
    try {
      server = await startLocalServer({ DYNAMODB_ENDPOINT: proxy.url, TABLE_NAME: `lost-answer-${randomUUID()}` });
      const post = (path: string, body: unknown) =>
        fetch(`${server?.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const printed = server.output().length;
      expect((await post('/v1/verifications', { phoneNumber: '010-1234-5678' })).status).toBe(202);
      await until(() => /인증번호 \[[0-9]+\]/.test(server?.output().slice(printed) ?? ''));
      // DynamoDB applies the decision; its answer never reaches the server.
      proxy.fault = 'hold';
      proxy.times = 1;
      proxy.when = (r) => r.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem' && r.body.includes('lastJti');
      const checked = await post('/v1/verifications/check', { phoneNumber: '+821012345678', code: server.lastCode() });
      expect(checked.status).toBe(200);
      expect(proxy.faulted).toHaveLength(1);
    } finally {
      await server?.stop('SIGKILL');
      await proxy.stop();
    }
  }, 120_000);
});
