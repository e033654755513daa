import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to a request it faults (all others pass through unchanged):
 * - `{ swapBody }`: the target's status and headers, another body (its length fixed up): an
 *   answer the client cannot read;
 * - `stall-body`: the target's status line and headers at once, the body never;
 * - `break-body`: the status line and headers, then the connection drops;
 * - `hold`: the request reaches the target, which acts on it, and its answer never comes back
 *   (a write that applied but whose answer was lost);
 * - `lose`: the request never reaches the target, and nothing comes back;
 * - `redirect`: a 307 to the target itself, and nothing forwarded;
 * - `silent`: the connection is accepted and nothing is ever said on it, so over TLS the
 *   handshake never completes (applies to every connection while set; `when` is not asked).
 */
export type Fault = 'none' | { readonly swapBody: string } | 'stall-body' | 'break-body' | 'hold' | 'lose' | 'redirect' | 'silent';

/** A request as it went through: what `when` decides on. */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * A loopback proxy in front of a real target (a stand-in, DynamoDB Local): not a second provider
 * or database, only the network between. It forwards each request unchanged and, while `fault`
 * is set, applies it to the answers of the requests `when` picks, at most `times` of them.
 */
export class FaultProxy {
  fault: Fault = 'none';
  /** Which requests get the fault (default: every one). */
  when: (request: ProxiedRequest) => boolean = () => true;
  /** How many more requests get the fault (default: no end). */
  times = Number.POSITIVE_INFINITY;
  /** Every request that reached the target, in order. */
  readonly forwarded: ProxiedRequest[] = [];
  /** The requests that got the fault. */
  readonly faulted: ProxiedRequest[] = [];
  private readonly tcp: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly target: string) {
    const http = createHttpServer((req, res) => void this.relay(req, res));
    this.tcp = createTcpServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (this.fault !== 'silent') http.emit('connection', socket);
    });
  }

  /** A proxy to `target` (a base URL), listening on a free loopback port. */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target.replace(/\/+$/, ''));
    await new Promise<void>((resolve) => proxy.tcp.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.tcp.address() as AddressInfo).port}`;
  }

  /** Back to passing everything through, with nothing recorded. */
  reset(): void {
    this.fault = 'none';
    this.when = () => true;
    this.times = Number.POSITIVE_INFINITY;
    this.forwarded.length = 0;
    this.faulted.length = 0;
  }

  /** Stops listening and drops every connection, held ones included. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.tcp.close(resolve));
  }

  private async relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: body.toString('utf8') };
    const fault = this.fault !== 'none' && this.times > 0 && this.when(seen) ? this.fault : 'none';
    if (fault !== 'none') {
      this.times -= 1;
      this.faulted.push(seen);
    }
    if (fault === 'redirect') {
      res.writeHead(307, { Location: `${this.target}${seen.url}` }).end();
      return;
    }
    if (fault === 'lose') return;
    this.forwarded.push(seen);
    const upstream = httpRequest(`${this.target}${seen.url}`, { method: seen.method, headers: req.headers }, (answer) => {
      if (fault === 'hold') {
        answer.resume(); // the target acted and answered; the client never hears of it
        return;
      }
      if (typeof fault === 'object') {
        answer.resume();
        const swapped = Buffer.from(fault.swapBody);
        const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(swapped.length) }).end(swapped);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault === 'stall-body' || fault === 'break-body') {
        res.flushHeaders();
        answer.resume();
        if (fault === 'break-body') answer.once('end', () => res.socket?.destroy());
        return;
      }
      answer.pipe(res);
    });
    upstream.once('error', () => res.socket?.destroy());
    upstream.end(body);
  }
}
