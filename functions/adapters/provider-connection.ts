import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * Whether a provider's request got as far as an open connection (TCP, and the TLS handshake
 * where there is one). Until then nothing of the request was written, so a failure, our own time
 * limit included, is a refusal and the next provider may be asked; after it the message may have
 * gone (docs/channels.md, "Providers and failover").
 */
export class ProviderConnection {
  private readonly state: Watched = { opened: false };

  /** True once the connection of a request made within `run` opened. */
  get opened(): boolean {
    return this.state.opened;
  }

  /** Runs `call` (one provider request), watching the connection of the HTTP request it makes. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return current.run(this.state, call);
  }
}

interface Watched {
  opened: boolean;
}

const current = new AsyncLocalStorage<Watched>();

// Node's own HTTP client (the AWS SDK's request handler): the request starts within `run`, so its
// context is there; the connection is open once the socket connected (and, over TLS, shook hands).
subscribe('http.client.request.start', (message) => {
  const connection = current.getStore();
  if (!connection) return;
  const { request } = message as { request: ClientRequest };
  const open = () => (connection.opened = true);
  // The agent may have handed it a socket already (it has when the channel speaks, in Node 20).
  if (request.socket) whenOpen(request.socket, open);
  else request.once('socket', (socket: Socket) => whenOpen(socket, open));
});

// undici (fetch: the SENS client): a request is created within `run`; once its headers are written
// to the socket, the connection was open.
const undiciRequests = new WeakMap<object, Watched>();
subscribe('undici:request:create', (message) => {
  const connection = current.getStore();
  if (connection) undiciRequests.set((message as { request: object }).request, connection);
});
subscribe('undici:client:sendHeaders', (message) => {
  const connection = undiciRequests.get((message as { request: object }).request);
  if (connection) connection.opened = true;
});

function whenOpen(socket: Socket, open: () => void): void {
  // A socket still connecting is new: open once connected, over TLS once the handshake is done.
  // One that is not was reused from the pool, already open.
  if (socket.connecting) socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', open);
  else open();
}
