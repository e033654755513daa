import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface LocalServer {
  readonly base: string;
  readonly child: ChildProcess;
  /** Everything the server printed so far (banner, console SMS, log lines). */
  output(): string;
  /** The last code the console provider printed. */
  lastCode(): string | undefined;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `npm start` as a user runs it (embedded DynamoDB Local), on a free port, ready to serve. */
export async function startLocalServer(env: Record<string, string> = {}): Promise<LocalServer> {
  const port = await freePort();
  // As a user has it (embedded DynamoDB Local) unless the test names another DynamoDB.
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited.DYNAMODB_ENDPOINT;
  const childEnv: NodeJS.ProcessEnv = { ...inherited, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'INFO', ...env };
  const child = spawn('npm', ['start'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 45_000;
  while (!output.includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    lastCode: () => [...output.matchAll(/인증번호 \[([0-9]+)\]/g)].at(-1)?.[1],
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
