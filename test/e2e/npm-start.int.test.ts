import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { jwtVerify } from 'jose';

const TOKEN_SECRET = 'e2e-token-secret-0123456789abcdefghijkl';

/** Command lines of running DynamoDB Local processes listening on `port`. */
function dynamoProcessesOn(port: string): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^[0-9]+$/.test(pid))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes('DynamoDBLocal.jar') && cmd.includes(`-port ${port} `.trimEnd()));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('npm start (the real local server, as a user runs it)', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Everything as a user has it (embedded DynamoDB Local), but a known token secret to verify with.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TOKEN_SECRET, POWERTOOLS_LOG_LEVEL: 'INFO' };
    delete env.DYNAMODB_ENDPOINT;
    child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 45_000;
    while (!output.includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers a browser preflight itself, as API Gateway does: 204 with the allowed method and headers', async () => {
    const answer = await fetch(`${base}/v1/verifications`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('walks send → read the code from the console → check → verify the token, then stops Java on SIGTERM', async () => {
    const sent = await post('/v1/verifications', { phoneNumber: '010-1234-5678' });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 200));
    const code = output.match(/인증번호 \[([0-9]{6})\]/)?.[1];
    expect(code).toBeDefined();

    const checked = await post('/v1/verifications/check', { phoneNumber: '+821012345678', code });
    expect(checked.status).toBe(200);
    const { token } = (await checked.json()) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(TOKEN_SECRET), { issuer: 'phone-verify/local', audience: 'phone-verify' });
    expect(payload.phone_number).toBe('+821012345678');

    // The log shows the masked number only, never the full one, the code or the token.
    const logLines = output.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThanOrEqual(2);
    expect(logLines.join('\n')).toContain('+82 10-****-5678');
    for (const secret of ['+821012345678', '01012345678', code ?? '', token]) expect(logLines.join('\n')).not.toContain(secret);

    const dynamoPort = output.match(/DynamoDB Local at http:\/\/127\.0\.0\.1:([0-9]+)/)?.[1] ?? '';
    expect(dynamoProcessesOn(dynamoPort)).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(dynamoProcessesOn(dynamoPort)).toEqual([]);
  });

});
