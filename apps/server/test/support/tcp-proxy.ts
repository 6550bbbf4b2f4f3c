import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 in front of `target` that a test can cut, blackhole and restore. */
export interface TcpProxy {
  /** The port it listens on (the same after a restore). */
  readonly port: number;
  /** Closes every connection and refuses new ones (ECONNREFUSED), as a database host that is down. */
  cut(): Promise<void>;
  /**
   * Stops forwarding without closing anything, as a network that drops every packet: open
   * connections stay open but go silent, and new ones are accepted and never answered.
   */
  blackhole(): void;
  /** Forwards again: listens again on the same port after a cut; after a blackhole, drops the silent connections. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Reads and discards what arrives, so the sender is never pushed back. */
const silence = (socket: Socket): void => {
  socket.on('data', () => undefined);
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let blackholed = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const listen = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      track(client);
      client.on('error', () => client.destroy());
      if (blackholed) {
        silence(client);
        return;
      }
      const upstream = connect(target.port, target.host);
      track(upstream);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      client.once('close', () => pairs.delete(pair));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  };
  let server: Server | undefined = await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const { port } = address;
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  const cut = async (): Promise<void> => {
    if (server === undefined) return;
    const closing = new Promise<void>((done) => {
      server?.close(() => {
        done();
      });
    });
    dropAll();
    await closing;
    server = undefined;
  };
  return {
    port,
    cut,
    blackhole: () => {
      blackholed = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        silence(client);
        silence(upstream);
      }
      pairs.clear();
    },
    restore: async () => {
      if (blackholed) {
        blackholed = false;
        dropAll();
      }
      server ??= await listen(port);
    },
    close: async () => {
      blackholed = false;
      await cut();
    },
  };
}
