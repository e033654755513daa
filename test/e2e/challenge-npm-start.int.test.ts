import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, startLocalServer, until, type LocalServer } from '../support/local-server';

/**
 * docs/challenge.md, "Locally, against the stand-in", as written: the challenge stand-in's CLI in
 * one process, `npm start` pointed at it in another, and a client that gets its token from the
 * stand-in's `POST /__emulator/token`, as a widget would hand one to a browser.
 */
const SITEKEY = '0x4AAAAAAAlocal';
const SECRET = '0x4AAAAAAAlocal-secret';
const CLI = join(__dirname, '..', 'emulators', 'challenge-emulator', 'challenge-emulator.cjs');

describe('npm start with a bot challenge, against the stand-in’s CLI', () => {
  let stand: ChildProcess;
  let standOutput = '';
  let standUrl = '';
  let server: LocalServer;

  beforeAll(async () => {
    const port = await freePort();
    stand = spawn(process.execPath, [CLI, '--port', String(port), '--site', `turnstile:${SITEKEY}:${SECRET}:127.0.0.1`], { stdio: ['ignore', 'pipe', 'pipe'] });
    stand.stdout?.on('data', (d: Buffer) => (standOutput += d.toString()));
    stand.stderr?.on('data', (d: Buffer) => (standOutput += d.toString()));
    await until(() => standOutput.includes('challenge emulator on'), 30_000);
    standUrl = `http://127.0.0.1:${port}`;
    server = await startLocalServer({
      CHALLENGE_PROVIDER: 'turnstile',
      CHALLENGE_SITE_KEY: SITEKEY,
      CHALLENGE_SECRET: SECRET,
      CHALLENGE_ENDPOINT: standUrl,
      CHALLENGE_HOSTNAMES: '127.0.0.1',
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    stand?.kill('SIGKILL');
  }, 30_000);

  const send = (body: unknown) =>
    fetch(`${server.base}/v1/verifications`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const token = async () => {
    const answer = await fetch(`${standUrl}/__emulator/token`, { method: 'POST', body: JSON.stringify({ service: 'turnstile', sitekey: SITEKEY }) });
    return ((await answer.json()) as { token: string }).token;
  };

  it('says so in its banner', () => {
    expect(server.output()).toContain(`Bot challenge: turnstile, every send needs a token; verified at ${standUrl}.`);
  });

  it('sends a code for a token the stand-in passed', async () => {
    const t = await token();
    const printed = server.output().length;
    const sent = await send({ phoneNumber: '010-1234-5678', challengeToken: t });
    expect(sent.status).toBe(202);
    await until(() => /인증번호 \[[0-9]+\]/.test(server.output().slice(printed)));
    // The CLI prints each verification it judged: the token's start, and what it answered.
    await until(() => standOutput.includes(`turnstile POST ${t.slice(0, 24)}… -> 200 {"success":true`));
    expect(standOutput).not.toContain('refused:');
  });

  it('answers 403 challenge_required without a token, and challenge_failed for a token used twice', async () => {
    const missing = await send({ phoneNumber: '010-2222-3333' });
    expect({ status: missing.status, code: ((await missing.json()) as { code: string }).code }).toEqual({ status: 403, code: 'challenge_required' });
    const t = await token();
    expect((await send({ phoneNumber: '010-2222-3333', challengeToken: t })).status).toBe(202);
    const again = await send({ phoneNumber: '010-4444-5555', challengeToken: t });
    expect({ status: again.status, code: ((await again.json()) as { code: string }).code }).toEqual({ status: 403, code: 'challenge_failed' });
    await until(() => standOutput.includes('refused: turnstile siteverify: timeout-or-duplicate'));
  });

  it('takes the 20 KiB body locally too', async () => {
    const body = JSON.stringify({ phoneNumber: '010-6666-7777', challengeToken: await token(), pad: 'p'.repeat(15_000) });
    const answer = await fetch(`${server.base}/v1/verifications`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(answer.status).toBe(202);
    const over = await fetch(`${server.base}/v1/verifications`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '010-6666-7777', pad: 'p'.repeat(20_480) }),
    });
    expect(over.status).toBe(413);
  });
});
