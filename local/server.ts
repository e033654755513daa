import './env-defaults';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler as checkCode, runtime as checkRuntime } from '../functions/check-code';
import { isLoopbackUrl, type ChallengeSettings, type RuntimeConfig, type TokenKeySource } from '../functions/config';
import { preflightHeaders } from '../functions/http/cors';
import { INTERNAL_ERROR, problemResponse, type Problem } from '../functions/http/problem';
import { MAX_BODY_BYTES, headerValues } from '../functions/http/request';
import { VerificationError } from '../functions/domain/errors';
import { handler as sendCode, runtime as sendRuntime, sendCodeRoute } from '../functions/send-code';
import { LIMITS_TABLE } from '../functions/adapters/table-definition';
import { ensureTable, localClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import type { LocalStreamReader } from './dynamodb-stream';
import { printLifecycleEvents } from './events';
import { matchedResource, proxyEvent } from './proxy-event';
import { buildDemoPage } from '../scripts/build';
import { configureDemoPage } from '../demo/challenge';

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
  let events: LocalStreamReader | undefined;
  const stop = async (code: number) => {
    server.closeAllConnections();
    server.close();
    await events?.stop().catch(() => undefined);
    await dynamo?.stop();
    process.exit(code);
  };

  let runtime;
  try {
    // Both routes' runtimes, built now: every setting is validated before the first request.
    [runtime] = await Promise.all([sendRuntime(), checkRuntime()]);
    // A DynamoDB on this machine (the embedded engine or another DynamoDB Local) gets the table; AWS itself never does.
    const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
    if (isLoopbackUrl(endpoint)) {
      await ensureTable(localClient(endpoint), runtime.config.tableName);
      await ensureTable(localClient(endpoint), runtime.config.limitsTableName, LIMITS_TABLE);
      events = await printLifecycleEvents(endpoint, runtime.config.tableName, (text) => process.stdout.write(text));
    }
  } catch (error) {
    process.stderr.write(`phone-verify: cannot start: ${(error as Error).message}\n`);
    await dynamo?.stop();
    process.exit(1);
  }
  const { config } = runtime;

  const lanes = new Lanes(LOCAL_CONCURRENCY);
  // Bodies are read up to the route's limit (the send route's is larger with a bot challenge), as the function judges them.
  const bodyLimit = (path: string) =>
    matchedResource(path) === sendCodeRoute.path ? (sendCodeRoute.maxBodyBytes?.(config) ?? MAX_BODY_BYTES) : MAX_BODY_BYTES;
  const server = createServer((req, res) => {
    serve(req, res, config, lanes, bodyLimit).catch((error: unknown) => {
      process.stderr.write(`local server: ${(error as Error).stack}\n`);
      if (!res.headersSent) answerProblem(res, INTERNAL_ERROR);
    });
  });
  // What Node's HTTP parser refuses (an unknown method, an oversized header, broken framing)
  // never reaches a handler; it still gets a problem document and a request id (docs/api.md).
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const reason = error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'unparseable_http';
    answerOnSocket(socket, withRequestId(problemResponse(new VerificationError('invalid_request', { reason }))));
  });
  // CONNECT never reaches the request listener: Node hands its socket to 'connect' listeners, and
  // without one drops it unanswered. Here it is a request like any other, and its route answers
  // (a known path 405 with Allow, any other 404): the checks put the route first (docs/api.md).
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []]));
    const event = proxyEvent({ method: 'CONNECT', path: req.url ?? '/', headers });
    const handler = event.resource === '/v1/verifications' ? sendCode : checkCode;
    lanes
      .run(() => handler(event))
      .then(
        (result) => answerOnSocket(socket, result),
        () => answerOnSocket(socket, withRequestId(problemResponse(INTERNAL_ERROR))),
      );
  });
  const port = Number(process.env.PORT || 3000);
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      `phone-verify: cannot listen on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (set PORT)' : error.message}\n`,
    );
    void stop(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const lines = [
      `phone-verify (stage ${config.stage}) listening on http://127.0.0.1:${port}  [ready in ${Math.round(performance.now() - started)} ms]`,
      `  DynamoDB: ${dynamo ? `embedded DynamoDB Local at ${dynamo.endpoint} (in memory)` : process.env.DYNAMODB_ENDPOINT}, tables ${config.tableName}, ${config.limitsTableName}`,
      `  SMS: ${config.smsProviders.map((p) => providerLine(p, config)).join(', then ')}`,
      ...(config.policy.testNumbers.size > 0
        ? [`  TEST_NUMBERS: ${config.policy.testNumbers.size} app-review number(s) with fixed codes: no SMS, no limit.`]
        : []),
      ...(config.challenge ? [challengeLine(config.challenge)] : []),
      tokenLine(config.tokenKeys),
      `  Lifecycle events: ${events ? "read from the table's stream and printed here (number masked)" : `not read (${isLoopbackUrl(process.env.DYNAMODB_ENDPOINT ?? '') ? `table ${config.tableName} has no stream` : 'the table is not on this machine'})`}`,
      `  JWKS (the keys that verify tokens): http://127.0.0.1:${port}/.well-known/jwks.json`,
      `  Demo page: http://127.0.0.1:${port}/`,
      '  Ctrl-C stops the server and DynamoDB Local.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(0));
}

/** What the banner says of one SMS provider. */
function providerLine(provider: string, config: { sens: { endpoint: string }; smsHookFunction?: string | undefined }): string {
  if (provider === 'console') return 'printed here (SMS_PROVIDER=console)';
  if (provider === 'sens') return `SENS at ${config.sens.endpoint}`;
  if (provider === 'aws')
    return `AWS End User Messaging${process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 ? ` at ${process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2}` : ''}`;
  return `the function ${config.smsHookFunction ?? ''}${process.env.AWS_ENDPOINT_URL_LAMBDA ? ` at ${process.env.AWS_ENDPOINT_URL_LAMBDA}` : ''}`;
}

/** What the banner says of the bot challenge (docs/challenge.md). */
function challengeLine(c: ChallengeSettings): string {
  const where = c.origin ? ` at ${c.origin}` : " (the service's own siteverify)";
  return `  Bot challenge: ${c.provider}, ${c.when === 'always' ? 'every send needs a token' : 'only for groups the SMS-pumping guard tripped'}; verified${where}.`;
}

/** What the banner says of the token keys. */
function tokenLine(keys: TokenKeySource): string {
  if (keys.kind === 'kms')
    return `  Tokens: signed in KMS with ${keys.signingKeyArn}${keys.publishedKeyArns.length > 0 ? `, ${keys.publishedKeyArns.length} more key(s) published` : ''}.`;
  if (keys.kind === 'local' && keys.privateKeyPem !== undefined) return '  Tokens: signed with TOKEN_SIGNING_KEY (ES256).';
  return '  TOKEN_SIGNING_KEY not set: tokens are signed with a random key and stop verifying after a restart.';
}

/** Requests in the handlers at once (see `Lanes`). */
const LOCAL_CONCURRENCY = 16;

let demoPageHtml: Promise<string> | undefined;

/**
 * The demo page (demo/index.html with its script, and the bot challenge's widget where one is
 * configured), served at `/` locally; the stack serves it only when `demoPage` is on. Bundled
 * from its sources at the first request for it, not at start, so an edit shows after a restart
 * and a server nobody opens in a browser never pays.
 */
function demoPage(challenge: Parameters<typeof configureDemoPage>[1]): Promise<string> {
  demoPageHtml ??= buildDemoPage().then((html) => configureDemoPage(html, challenge));
  return demoPageHtml;
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  { cors, challenge }: Pick<RuntimeConfig, 'cors' | 'challenge'>,
  lanes: Lanes,
  bodyLimit: (path: string) => number,
): Promise<void> {
  // The request target as sent: no URL parsing (which refuses `//[` or `//a:99999/`) and no
  // normalising, so only the exact route spellings reach a route (docs/api.md: exact routes).
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = queryAt < 0 ? undefined : Object.fromEntries(new URLSearchParams(target.slice(queryAt + 1)));
  if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
    req.resume();
    const html = await demoPage(challenge);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
    return;
  }
  const body = await readBody(req, bodyLimit(path));
  const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []]));
  const event = proxyEvent({ method: req.method ?? 'GET', path, headers, body, query, sourceIp: req.socket.remoteAddress });
  if (req.method === 'OPTIONS' && event.resource !== '/{proxy+}') {
    // API Gateway answers preflights itself (the stack's CORS options); so do we.
    res.writeHead(204, preflightHeaders(cors, headerValues(event, 'origin')[0])).end();
    return;
  }
  // A lane is taken only now, with the whole body read (or the limit passed): a client that
  // trickles its body in must never hold one, as API Gateway invokes Lambda only with the body.
  // The check function serves the check and the key set, as in AWS.
  const handler = event.resource === '/v1/verifications' ? sendCode : checkCode;
  const result: APIGatewayProxyResult = await lanes.run(() => handler(event));
  // An oversized body is still being drained (`readBody`): the connection stays open until it
  // ends, so the client, still sending, reads this answer instead of meeting a reset.
  const payload = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'Content-Length': String(payload.length) });
  res.end(payload);
}

/** Writes `result` on a socket no ServerResponse owns (a request Node's parser refused, a CONNECT), and closes it. */
function answerOnSocket(socket: Duplex, result: Pick<APIGatewayProxyResult, 'statusCode' | 'headers' | 'body'>): void {
  if (!socket.writable) return void socket.destroy();
  const body = Buffer.from(result.body);
  const lines = Object.entries({ ...result.headers, 'Content-Length': String(body.length), Connection: 'close' });
  socket.end(
    Buffer.concat([
      Buffer.from(`HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`),
      body,
    ]),
  );
}

/** Writes `error` as a problem document with a request id (for answers no handler gave). */
function answerProblem(res: ServerResponse, error: Problem): void {
  const { statusCode, headers, body } = withRequestId(problemResponse(error));
  res.writeHead(statusCode, headers as Record<string, string>).end(body);
}

/** An answer no handler gave, with the request id every answer carries (docs/api.md). */
function withRequestId(answer: APIGatewayProxyResult): APIGatewayProxyResult {
  return { ...answer, headers: { ...answer.headers, 'X-Request-Id': randomUUID() } };
}

/** How much of an oversized body is read and thrown away after the 413, before the connection is cut. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/**
 * The body, but no more than one byte past the limit: the handler answers 413 from that alone,
 * at once, without waiting for the rest of a 64 MB upload. The rest is read and discarded, up to
 * `DRAIN_LIMIT_BYTES`, so the client can read the 413 while it is still sending: a socket closed
 * with unread data in it is reset, and the reset can destroy the answer before the client reads
 * it. Past that bound the connection is cut.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > limit + DRAIN_LIMIT_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
      if (size > limit) {
        over = true;
        resolve(Buffer.concat(chunks).subarray(0, limit + 1));
      }
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * At most `size` requests in the handlers at once, the rest in arrival order: the local
 * stand-in for Lambda's one-request-per-container. DynamoDB Local runs every write on one JVM,
 * so a burst of 200 would otherwise queue inside it and outlast the per-attempt timeouts that
 * are right for DynamoDB itself (runtime.ts), answering 503 to a healthy stack.
 */
class Lanes {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

void main();
