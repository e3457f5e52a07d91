import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * How long a kept-alive connection with nothing in flight is left open once draining starts. A
 * busy client sends its next request well within this and gets it answered with
 * `Connection: close`; closing an idle socket at once instead races with a request already on
 * the wire (the client sees a reset for a request it cannot know was never read).
 */
export const DRAIN_IDLE_GRACE_MS = 200;

export interface DrainResult {
  /** Connections still open at the deadline and cut. */
  forced: number;
  durationMs: number;
}

/**
 * Graceful shutdown for a Node HTTP server: tracks connections and requests in flight so that
 * `drain` stops accepting, lets every request already read finish (answering it, and any new
 * one on a kept-alive connection, with `Connection: close`), closes idle connections after a
 * short grace and cuts whatever is left at the deadline.
 */
export function createDrainer(server: Server, handler: RequestListener) {
  /** Requests in flight per open connection. */
  const sockets = new Map<Socket, number>();
  const responses = new Set<ServerResponse>();
  let draining = false;
  let onIdle: ((socket: Socket) => void) | undefined;

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    responses.add(res);
    res.once('close', () => {
      responses.delete(res);
      const left = (sockets.get(socket) ?? 1) - 1;
      if (!sockets.has(socket)) return;
      sockets.set(socket, left);
      if (left === 0) onIdle?.(socket);
    });
    // Node ends the connection after a response that says so, and the client opens a new one
    // (to another instance, behind a load balancer).
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  };

  async function drain(timeoutMs: number): Promise<DrainResult> {
    const started = performance.now();
    draining = true;
    for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    // http.Server#close would also close idle connections at once (the race described above);
    // net.Server#close only stops accepting, and calls back once every connection has ended.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));

    const idleSince = new Map<Socket, number>();
    onIdle = (socket) => idleSince.set(socket, performance.now());
    for (const [socket, inFlight] of sockets) if (inFlight === 0) idleSince.set(socket, started);
    // The check runs in setImmediate, after the event loop's poll phase: a request that arrived
    // while the loop was busy (PGlite runs on this thread) is read and counted first, so its
    // connection is not mistaken for an idle one and cut.
    const closeIdle = () => {
      const now = performance.now();
      for (const [socket, since] of idleSince) {
        if ((sockets.get(socket) ?? 0) > 0) idleSince.delete(socket);
        else if (now - since >= DRAIN_IDLE_GRACE_MS) {
          idleSince.delete(socket);
          socket.destroy();
        }
      }
    };
    const sweep = setInterval(() => setImmediate(closeIdle), DRAIN_IDLE_GRACE_MS / 4);

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), timeoutMs);
    });
    const outcome = await Promise.race([closed.then(() => 'drained' as const), deadline]);
    clearInterval(sweep);
    clearTimeout(timer);
    let forced = 0;
    if (outcome === 'deadline') {
      forced = sockets.size;
      server.closeAllConnections();
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
    }
    return { forced, durationMs: Math.round(performance.now() - started) };
  }

  return {
    listener,
    drain,
    /** True once draining has started: health checks report 503 so balancers stop sending. */
    isDraining: () => draining,
  };
}
