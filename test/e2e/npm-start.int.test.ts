import { verifyPhoneToken } from 'phone-verify';
import { javaProcessesOn, startLocalServer, until, type LocalServer } from '../support/local-server';

const TOKEN_SECRET = 'e2e-token-secret-0123456789abcdefghijkl';

describe('npm start (the real local server, as a user runs it)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ TOKEN_SECRET });
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

  it('serves the demo page at /', async () => {
    const page = await fetch(`${server.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('autocomplete="one-time-code"');
  });

  it('walks send → read the code from the console → check → verify the token, then stops Java on SIGTERM', async () => {
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
    // The README's backend example, with the values it gives for npm start.
    const env = { PHONE_VERIFY_TOKEN_SECRET: TOKEN_SECRET, PHONE_VERIFY_ISSUER: 'phone-verify/local' };
    const { phoneNumber } = await verifyPhoneToken(token, { secret: env.PHONE_VERIFY_TOKEN_SECRET, issuer: env.PHONE_VERIFY_ISSUER });
    expect(phoneNumber).toBe('+821012345678');

    // The log shows the masked number only, never the full one, the code or the token.
    const logLines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThanOrEqual(2);
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
