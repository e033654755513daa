import './env-defaults';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler as checkCode } from '../functions/check-code';
import { ROUTE_PATHS } from '../functions/http/api';
import { preflightHeaders } from '../functions/http/cors';
import { MAX_BODY_BYTES, headerValues } from '../functions/http/request';
import { serviceRuntime } from '../functions/runtime';
import { handler as sendCode } from '../functions/send-code';
import { ensureTable, localClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { proxyEvent } from './proxy-event';

/**
 * `npm start`: the two Lambda handlers on http://127.0.0.1:3000 (PORT), each request turned into
 * an API Gateway REST proxy event, against an embedded in-memory DynamoDB Local.
 */
async function main(): Promise<void> {
  const started = performance.now();
  let dynamo: DynamoDbLocal | undefined;
  if (!process.env.DYNAMODB_ENDPOINT) {
    dynamo = await startDynamoDbLocal();
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
  const stop = async (code: number) => {
    server.closeAllConnections();
    server.close();
    await dynamo?.stop();
    process.exit(code);
  };

  let runtime;
  try {
    runtime = await serviceRuntime(); // validates every setting now, not at the first request
    // A DynamoDB on this machine (the embedded engine or another DynamoDB Local) gets the table; AWS itself never does.
    const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
    if (/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(endpoint)) {
      await ensureTable(localClient(endpoint), runtime.config.tableName);
    }
  } catch (error) {
    process.stderr.write(`phone-verify: cannot start: ${(error as Error).message}\n`);
    await dynamo?.stop();
    process.exit(1);
  }
  const { config, secrets } = runtime;

  const server = createServer((req, res) => {
    serve(req, res, config.cors).catch((error: unknown) => {
      process.stderr.write(`local server: ${(error as Error).stack}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const port = Number(process.env.PORT || 3000);
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`phone-verify: cannot listen on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (set PORT)' : error.message}\n`);
    void stop(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const lines = [
      `phone-verify (stage ${config.stage}) listening on http://127.0.0.1:${port}  [ready in ${Math.round(performance.now() - started)} ms]`,
      `  DynamoDB: ${dynamo ? `embedded DynamoDB Local at ${dynamo.endpoint} (in memory)` : process.env.DYNAMODB_ENDPOINT}, table ${config.tableName}`,
      `  SMS: ${config.smsProvider === 'console' ? 'printed here (SMS_PROVIDER=console)' : `SENS at ${config.sens.endpoint}`}`,
      secrets.ephemeral ? '  TOKEN_SECRET not set: tokens are signed with a random secret and stop verifying after a restart.' : '  Tokens signed with TOKEN_SECRET.',
      `  Demo page: http://127.0.0.1:${port}/`,
      '  Ctrl-C stops the server and DynamoDB Local.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
}

/** The demo page (demo/index.html), served at `/` locally; the stack serves it only when `demoPage` is on. */
const DEMO_PAGE = readFileSync(join(__dirname, '..', 'demo', 'index.html'));

async function serve(req: IncomingMessage, res: ServerResponse, cors: Parameters<typeof preflightHeaders>[0]): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []]));
  const event = proxyEvent({ method: req.method ?? 'GET', path: url.pathname, headers, body, query: Object.fromEntries(url.searchParams) });
  if (req.method === 'GET' && (event.path === '/' || event.path === '/index.html')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(DEMO_PAGE);
    return;
  }
  if (req.method === 'OPTIONS' && (ROUTE_PATHS as readonly string[]).includes(event.path)) {
    // API Gateway answers preflights itself (the stack's CORS options); so do we.
    res.writeHead(204, preflightHeaders(cors, headerValues(event, 'origin')[0])).end();
    return;
  }
  const result: APIGatewayProxyResult = await (event.resource === '/v1/verifications/check' ? checkCode : sendCode)(event);
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** The body, but no more than one byte past the limit: the handler answers 413 from that alone. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
}

void main();
