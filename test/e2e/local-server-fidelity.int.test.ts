import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { rawRequest } from '../support/raw-http';
import { javaProcessesOn, startLocalServer, type LocalServer } from '../support/local-server';
import { codeIn, sensEnv, startSens, type SensEmulator } from '../support/sens';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) });
// Each number in a range of its own (all but the last 4 digits differ), so the range limit stays out of the way.
const number = (i: number) => `+8210${4000 + i}5678`;

/** Black box over HTTP: the local server as a user (or an attacker) meets it. */
describe('npm start answers everything with a problem document', () => {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await startLocalServer({ DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '', TABLE_NAME: `fidelity-${randomUUID()}` });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);
  const base = () => server?.base ?? '';

  const expectProblem = (answer: { status: number; headers: Record<string, string>; body: string }, status: number, code: string) => {
    expect({ status: answer.status, contentType: answer.headers['content-type'], code: (JSON.parse(answer.body) as { code: string }).code }).toEqual({
      status,
      contentType: 'application/problem+json',
      code,
    });
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  };

  it.each([
    ['POST //', 'POST // HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 404, 'not_found'],
    ['POST //[', 'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 404, 'not_found'],
    ['POST //a:99999/', 'POST //a:99999/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 404, 'not_found'],
    ['an unknown method token', 'FROB /v1/verifications HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['a 20 KB header', `POST /v1/verifications HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 400, 'invalid_request'],
    [
      'broken chunked framing',
      'POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      400,
      'invalid_request',
    ],
    ['a trailing slash', 'POST /v1/verifications/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', 404, 'not_found'],
    ['another case', 'POST /V1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', 404, 'not_found'],
    [
      'a percent-encoded spelling',
      'POST /v1/%76erifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      404,
      'not_found',
    ],
    [
      'the check route with a trailing slash',
      'POST /v1/verifications/check/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      404,
      'not_found',
    ],
  ])('%s', async (_label, request, status, code) => {
    expectProblem(await rawRequest(base(), request), status, code);
  });

  it('answers 413 at once to a 64 MB body, without reading it', async () => {
    const head = `POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`;
    // Only 8 KB of the 64 MB ever go out: the answer must come from what passed the limit.
    expectProblem(await rawRequest(base(), Buffer.concat([Buffer.from(head), Buffer.alloc(8192, 0x20)])), 413, 'payload_too_large');
  });

  it('answers a 64 KB chunked body without Content-Length with a readable 413, every time (the client is still sending)', async () => {
    const chunk = `400\r\n${' '.repeat(0x400)}\r\n`;
    const head = 'POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    // 9 KB, then the client is busy while the server answers (past 4 KB), then it sends the rest.
    // A server that closes with the body unread sends a reset, and a reset destroys the answer
    // still unread in the client's buffer: every try lost it. Draining the body keeps it readable.
    const request = [head, ...Array.from({ length: 9 }, () => chunk), { busyMs: 50 }, ...Array.from({ length: 55 }, () => chunk), '0\r\n\r\n'];
    for (let i = 0; i < 10; i += 1) expectProblem(await rawRequest(base(), request), 413, 'payload_too_large');
  });

  it('lets no slow client hold a lane: with 20 bodies trickling in a byte at a time, a plain send is answered', async () => {
    const { hostname, port } = new URL(base());
    const slow = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(Number(port), hostname, () => {
              socket.write('POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{');
              resolve(socket);
            });
            socket.once('error', reject);
          }),
      ),
    );
    const heard: string[] = [];
    for (const socket of slow) socket.on('data', (d: Buffer) => heard.push(d.toString()));
    const trickle = setInterval(() => slow.forEach((socket) => socket.write(' ')), 1_000);
    try {
      // More slow bodies than the server's 16 lanes: before the fix this waited until they ended.
      const plain = await rawRequest(
        base(),
        `POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 31\r\n\r\n{"phoneNumber":"+821040995678"}`,
        30_000,
      );
      expect(plain.status).toBe(202);
      expect(heard).toEqual([]); // the slow ones are still being read, not answered
    } finally {
      clearInterval(trickle);
      slow.forEach((socket) => socket.destroy());
    }
  });

  it('replays an idempotent 202 byte for byte', async () => {
    const headers = { 'Idempotency-Key': 'replay-bytes-1' };
    const first = await post(base(), '/v1/verifications', { phoneNumber: number(1) }, headers);
    const again = await post(base(), '/v1/verifications', { phoneNumber: number(1) }, headers);
    expect(first.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(await first.text());
  });
});

describe('npm start under a burst, on a healthy DynamoDB Local', () => {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await startLocalServer({ RESEND_COOLDOWN_SECONDS: '0' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('200 concurrent sends to 200 numbers: every one 202, none 503', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => (await post(server?.base ?? '', '/v1/verifications', { phoneNumber: number(i) })).status),
    );
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
  });

  it('120 concurrent sends to 20 numbers (no cooldown): exactly 5 SMS per number, the rest send_limit_reached', async () => {
    const requests = Array.from({ length: 120 }, (_, i) => number(1000 + (i % 20)));
    const answers = await Promise.all(requests.map(async (n) => (await post(server?.base ?? '', '/v1/verifications', { phoneNumber: n })).status));
    expect({ sent: answers.filter((s) => s === 202).length, refused: answers.filter((s) => s === 429).length }).toEqual({ sent: 100, refused: 20 });
  });
});

describe('npm start with DynamoDB paused (SIGSTOP: the process is there, it does not answer)', () => {
  let dynamo: DynamoDbLocal | undefined;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal();
    server = await startLocalServer({ DYNAMODB_ENDPOINT: dynamo.endpoint });
  }, 150_000);
  afterAll(async () => {
    if (dynamo) process.kill(dynamo.pid, 'SIGCONT');
    await server?.stop();
    await dynamo?.stop();
  }, 30_000);

  it('answers 503 service_unavailable with Retry-After within 5 s, and heals when DynamoDB comes back', async () => {
    const base = server?.base ?? '';
    expect((await post(base, '/v1/verifications', { phoneNumber: number(1) })).status).toBe(202);
    process.kill(dynamo?.pid ?? 0, 'SIGSTOP');
    const started = Date.now();
    const answer = await post(base, '/v1/verifications', { phoneNumber: number(2) });
    const elapsed = Date.now() - started;
    process.kill(dynamo?.pid ?? 0, 'SIGCONT');
    expect(answer.status).toBe(503);
    expect((await answer.json()) as object).toMatchObject({ code: 'service_unavailable' });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeLessThan(5_000);
    expect((await post(base, '/v1/verifications', { phoneNumber: number(3) })).status).toBe(202);
  });
});

describe('npm start with SMS_PROVIDER=sens, against the SENS emulator', () => {
  let sens: SensEmulator | undefined;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    sens = await startSens();
    server = await startLocalServer({
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
      TABLE_NAME: `sens-${randomUUID()}`,
      ...sensEnv(sens, 5000),
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await sens?.close();
  }, 30_000);

  it('sends through SENS as SENS expects, and the code it carried is approved', async () => {
    const base = server?.base ?? '';
    expect(server?.output()).toContain(`SMS: SENS at ${sens?.url}`);
    expect((await post(base, '/v1/verifications', { phoneNumber: '010-1234-5678' })).status).toBe(202);
    expect(sens?.refusals).toEqual([]);
    expect(sens?.accepted).toEqual([expect.objectContaining({ channel: 'sms', countryCode: '82', to: '01012345678' })]);
    const checked = await post(base, '/v1/verifications/check', { phoneNumber: '+821012345678', code: codeIn(sens?.accepted[0]?.content) });
    expect(checked.status).toBe(200);
  });
});

describe('npm start stops DynamoDB Local on every stop signal', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s',
    async (signal) => {
      const server = await startLocalServer();
      try {
        const port = server.output().match(/DynamoDB Local at http:\/\/127\.0\.0\.1:([0-9]+)/)?.[1] ?? 'none';
        expect(javaProcessesOn(port)).toHaveLength(1);
        expect(await server.stop(signal)).toBe(0);
        expect(javaProcessesOn(port)).toEqual([]);
      } finally {
        await server.stop('SIGKILL');
      }
    },
    120_000,
  );
});
