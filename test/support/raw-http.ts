import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Writes `request` bytes to `base` as they are (no client library to tidy them up; an array is
 * written piece by piece, with its `Busy` pauses) and parses the first answer. `timeoutMs` bounds the wait: a server that never answers fails the test.
 */
export function rawRequest(base: string, request: string | Buffer | Array<string | Buffer | Busy>, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got: ${data.toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    const tryParse = () => {
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? NaN);
      const body = data.subarray(Buffer.byteLength(text.slice(0, end + 4)));
      if (!Number.isNaN(length) && body.length < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse();
    });
    socket.on('error', () => undefined); // a server that closes mid-write: judged by what it answered
    socket.on('close', () => {
      clearTimeout(timer);
      tryParse();
      reject(new Error(`connection closed without a complete answer: ${data.toString('latin1').slice(0, 200)}`));
    });
    socket.once('connect', () => writeInPieces(socket, Array.isArray(request) ? request : [request]));
  });
}

/** A pause in a piece-by-piece request: the client's thread is busy (as a phone app's can be), so what arrives meanwhile waits unread. */
export interface Busy {
  readonly busyMs: number;
}

/** Writes the pieces in order; a `Busy` blocks this thread, so the server's answer (and any reset after it) arrives unread. */
function writeInPieces(socket: Socket, pieces: Array<string | Buffer | Busy>): void {
  for (const piece of pieces) {
    if (typeof piece === 'string' || Buffer.isBuffer(piece)) socket.write(piece);
    else for (const until = Date.now() + piece.busyMs; Date.now() < until;);
  }
}
