/** One bounded autocannon run against one target, with the CPU it cost the server and PostgreSQL. */
import autocannon from 'autocannon';
import type { BenchUser } from './seed';
import { cpuMs } from './processes';

export type Operation = 'list' | 'create' | 'toggle';

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** ms of server CPU per request */
  serverCpu: number;
  /** ms of PostgreSQL backend CPU per request; NaN when not measurable (PGlite) */
  pgCpu: number;
  bytes: number;
  failed: number;
}

const request = (operation: Operation, user: BenchUser) => {
  const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
  if (operation === 'list') return { method: 'GET' as const, path: '/api/trpc/task.list', headers };
  if (operation === 'create') {
    return {
      method: 'POST' as const,
      path: '/api/trpc/task.create',
      headers,
      body: '{"title":"bench task"}',
    };
  }
  return {
    method: 'POST' as const,
    path: '/api/trpc/task.toggle',
    headers,
    body: JSON.stringify({ id: user.taskId }),
  };
};

export async function runLoad(opts: {
  url: string;
  pid: number;
  operation: Operation;
  users: BenchUser[];
  connections: number;
  seconds: number;
  pgCpu?: () => Promise<() => Promise<number>>;
}): Promise<Sample> {
  let next = 0;
  const requests = opts.users.map((user) => request(opts.operation, user));
  const serverBefore = cpuMs(opts.pid);
  const pgDone = opts.pgCpu ? await opts.pgCpu() : undefined;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [
      {
        // Every request is from the next user in turn: many users, as in production.
        setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length] }),
      },
    ],
  });
  const serverCpu = cpuMs(opts.pid) - serverBefore;
  const pg = pgDone ? await pgDone() : NaN;
  const total = result.requests.total || 1;
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverCpu: serverCpu / total,
    pgCpu: pg / total,
    bytes: result.throughput.total / total,
    failed: result.non2xx + result.errors,
  };
}
