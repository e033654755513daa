import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SENS_TEST_CREDENTIALS = { serviceId: 'ncp:sms:kr:123456789012:phone-verify', accessKey: 'AKIDTESTACCESSKEY', secretKey: 'sens-secret-key-for-tests', from: '0212345678' };

export interface ReceivedMessage {
  readonly countryCode: string;
  readonly from: string;
  readonly content: string;
  readonly to: string;
}

/**
 * A stand-in for SENS SMS API v2 on loopback. It refuses what SENS refuses: a wrong path or
 * method, a missing header, a stale timestamp, a bad signature, a malformed body.
 */
export class FakeSens {
  mode: 'ok' | 'fail500' | 'reject400' | 'hang' | 'garbage' = 'ok';
  readonly delivered: ReceivedMessage[] = [];
  readonly refusals: string[] = [];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const problem = this.validate(req, Buffer.concat(chunks).toString('utf8'));
    if (problem) {
      this.refusals.push(problem);
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 401, errorMessage: problem }));
      return;
    }
    switch (this.mode) {
      case 'hang':
        this.hanging.add(res);
        return;
      case 'fail500':
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"internal"}');
        return;
      case 'reject400':
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"statusCode":"400","statusName":"fail"}');
        return;
      case 'garbage':
        res.writeHead(202, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>');
        return;
      default: {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { countryCode: string; from: string; content: string; messages: Array<{ to: string }> };
        this.delivered.push({ countryCode: body.countryCode, from: body.from, content: body.content, to: body.messages[0]?.to ?? '' });
        res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8' }).end(
          JSON.stringify({ requestId: `RSSA-${randomUUID()}`, requestTime: new Date().toISOString(), statusCode: '202', statusName: 'success' }),
        );
      }
    }
  }

  /** What SENS checks, as SPEC section 6 lists it; undefined when the request passes. */
  private validate(req: IncomingMessage, raw: string): string | undefined {
    const { serviceId, accessKey, secretKey } = SENS_TEST_CREDENTIALS;
    const path = `/sms/v2/services/${encodeURIComponent(serviceId)}/messages`;
    if (req.method !== 'POST') return `method ${req.method}`;
    if (req.url !== path) return `path ${req.url}`;
    if (req.headers['content-type'] !== 'application/json; charset=utf-8') return `content-type ${req.headers['content-type']}`;
    const timestamp = req.headers['x-ncp-apigw-timestamp'];
    if (typeof timestamp !== 'string' || !/^[0-9]{13}$/.test(timestamp)) return 'timestamp missing or not epoch ms';
    if (Math.abs(Date.now() - Number(timestamp)) > 5 * 60 * 1000) return 'timestamp more than 5 minutes off';
    if (req.headers['x-ncp-iam-access-key'] !== accessKey) return 'unknown access key';
    const expected = createHmac('sha256', secretKey).update(`POST ${path}\n${timestamp}\n${accessKey}`).digest('base64');
    if (req.headers['x-ncp-apigw-signature-v2'] !== expected) return 'signature mismatch';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return 'body is not JSON';
    }
    const keys = Object.keys(body).sort().join(',');
    if (keys !== 'content,contentType,countryCode,from,messages,type') return `body members ${keys}`;
    if (body.type !== 'SMS' || body.contentType !== 'COMM') return 'type/contentType';
    if (typeof body.countryCode !== 'string' || !/^[0-9]{1,3}$/.test(body.countryCode)) return 'countryCode';
    if (typeof body.from !== 'string' || !/^[0-9]+$/.test(body.from)) return 'from';
    const messages = body.messages as Array<Record<string, unknown>>;
    if (!Array.isArray(messages) || messages.length !== 1 || Object.keys(messages[0] ?? {}).join() !== 'to' || !/^[0-9]+$/.test(String(messages[0]?.to))) return 'messages';
    return undefined;
  }
}
