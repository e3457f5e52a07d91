/**
 * A TCP forwarder in front of a real database, for fault tests that need the database to be
 * absent, appear late or vanish, without touching the shared PostgreSQL cluster.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Starts forwarding (listening) on `port`. */
  start(): Promise<void>;
  /** Stops listening and cuts every forwarded connection, as a crashed database would. */
  stop(): Promise<void>;
}

export function createTcpProxy(port: number, target: { host: string; port: number }): TcpProxy {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    port,
    start: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The proxied form of a postgres:// URL: same credentials and database, the proxy's port. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
