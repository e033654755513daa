import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

export interface LocalServer {
  readonly base: string;
  readonly child: ChildProcess;
  /** Everything the server printed so far (banner, console SMS, log lines). */
  output(): string;
  /** The last code the console provider printed. */
  lastCode(): string | undefined;
  /**
   * Stops the server and answers its exit code. SIGINT and SIGTERM go to `npm`, which forwards
   * them; SIGHUP goes to the server process itself (npm does not forward it; a closing terminal
   * sends it to every process). SIGKILL takes the whole process group down: the teardown of last resort.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Resolves once `condition` holds, checking every 10 ms: a latch on something a test can only
 * observe from outside (a line the server printed, a request the emulator received), never a
 * guess at how long it takes. Rejects after `timeoutMs`.
 */
export async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Command lines of the processes on this machine, by pid. */
function processes(): Array<{ pid: number; cmd: string; pgid: number }> {
  return readdirSync('/proc')
    .filter((pid) => /^[0-9]+$/.test(pid))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        return [{ pid: Number(pid), cmd, pgid }];
      } catch {
        return [];
      }
    });
}

/** Running DynamoDB Local processes listening on `port`. */
export function javaProcessesOn(port: string): string[] {
  return processes()
    .filter((p) => p.cmd.includes('DynamoDBLocal.jar') && p.cmd.split(' ').includes(port))
    .map((p) => p.cmd);
}

/**
 * `npm start` as a user runs it (embedded DynamoDB Local unless `env` names one), on a free port,
 * ready to serve. It runs in a process group of its own, so a failed start (or a teardown)
 * kills npm, tsx, the server and Java together; nothing is left to keep jest alive.
 */
export async function startLocalServer(env: Record<string, string> = {}): Promise<LocalServer> {
  const port = await freePort();
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited.DYNAMODB_ENDPOINT;
  const childEnv: NodeJS.ProcessEnv = { ...inherited, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'INFO', ...env };
  const child = spawn('npm', ['start'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const killGroup = () => {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // Java and tsx start in 3 s on a quiet machine, 6-8 s beside `npm run bench`; a machine busier
  // still has until the hooks' 120 s (test files that start servers set it).
  const deadline = Date.now() + 100_000;
  while (!output.includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      killGroup();
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    lastCode: () => [...output.matchAll(/인증번호 \[([0-9]+)\]/g)].at(-1)?.[1],
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) {
        killGroup(); // whatever npm left behind
        return exited;
      }
      if (signal === 'SIGKILL') killGroup();
      else if (signal === 'SIGHUP') {
        const server = processes().find((p) => p.pgid === child.pid && p.cmd.includes('loader.mjs') && p.cmd.includes('local/server.ts'));
        process.kill(server?.pid ?? child.pid ?? 0, signal);
      } else child.kill(signal);
      const timer = setTimeout(killGroup, 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
