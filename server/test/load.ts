/**
 * Closed-loop load over kept-alive connections (node:http, so connection reuse, resets and
 * refusals are visible as such), for fault tests: how many requests were acknowledged, refused
 * before being accepted, or cut after being sent.
 */
import { Agent, request } from 'node:http';

export interface LoadOutcome {
  /** Task ids the server acknowledged (a 200 with the created task). */
  acknowledged: string[];
  /** Responses by HTTP status. */
  statuses: Record<number, number>;
  /** Connection refused: the listener was closed, so the request was never accepted. */
  refused: number;
  /** Resets, hang-ups and other transport errors after a request was sent. */
  resets: string[];
}

export interface CreateLoad {
  /** Resolves once every connection has had a create acknowledged (so the server accepted it). */
  warm: Promise<void>;
  /** Resolves when every worker has stopped by itself (each stops at its first refusal). */
  done: Promise<LoadOutcome>;
  /** Stops sending; resolves when every worker is done. */
  stop(): Promise<LoadOutcome>;
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const errorCode = (error: unknown): unknown =>
  error instanceof Error && 'code' in error ? error.code : undefined;

/** `connections` workers, each creating tasks back to back on its own kept-alive connection. */
export function startCreateLoad(opts: { url: string; token: string; connections: number }): CreateLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL('/api/trpc/task.create', opts.url);
  const outcome: LoadOutcome = { acknowledged: [], statuses: {}, refused: 0, resets: [] };
  let stopped = false;
  let warmWorkers = 0;
  let onWarm = () => {};
  const warm = new Promise<void>((resolve) => (onWarm = resolve));

  async function worker(w: number): Promise<void> {
    for (let i = 0; !stopped; i++) {
      try {
        const res = await post(
          agent,
          target,
          { authorization: `Bearer ${opts.token}` },
          JSON.stringify({ title: `load ${w}-${i}` }),
        );
        outcome.statuses[res.status] = (outcome.statuses[res.status] ?? 0) + 1;
        if (res.status !== 200) continue;
        outcome.acknowledged.push(
          (JSON.parse(res.body) as { result: { data: { id: string } } }).result.data.id,
        );
        if (i === 0 && ++warmWorkers === opts.connections) onWarm();
      } catch (error) {
        if (errorCode(error) === 'ECONNREFUSED') {
          outcome.refused++;
          return;
        }
        outcome.resets.push(`${String(errorCode(error))}: ${error instanceof Error ? error.message : ''}`);
      }
    }
  }

  const done = Promise.all(Array.from({ length: opts.connections }, (_, w) => worker(w))).then(() => {
    agent.destroy();
    return outcome;
  });
  return {
    warm,
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}
