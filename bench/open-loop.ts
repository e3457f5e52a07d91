/**
 * Open-loop load for `bench:soak`: every simulated user sends on a fixed timetable whether or not
 * its earlier requests have been answered, and latency runs from the scheduled send time, so a
 * queue (in the server, in the socket, or in this process) counts against it.
 *
 * Each user has its own keep-alive connection (an `http.Agent` with one socket): a user's requests
 * queue behind each other on it, as on a real client's connection.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadUser {
  token: string;
  /** One of the user's own tasks, for `task.toggle`. */
  taskId: string;
}

export interface Progress {
  sent: number;
  /** Answered with a 2xx. */
  completed: number;
  /** Anything else: a non-2xx, a network error, a timeout. */
  failed: number;
}

export interface OpenLoopResult extends Progress {
  /** Time from the first scheduled send to the last answer (or give-up), in s. */
  seconds: number;
  /** Failures by kind (`HTTP 503 <message>`, `timeout`, `ECONNRESET`, …): how many, first and last (s into the run). */
  errors: Map<string, { count: number; first: number; last: number }>;
  /** ms from scheduled send to the end of the response, successful requests only, sorted. */
  latencies: Float64Array;
  /** How late this process sent (timer and event-loop lag), ms: p99 and max. */
  sendLagP99: number;
  sendLagMax: number;
  /** Requests still unanswered when the drain period ran out (counted as failures: `unfinished`). */
  unfinished: number;
  /** CPU of this (load generator) process over the run, ms. */
  generatorCpuMs: number;
}

const OPERATIONS = ['list', 'create', 'toggle'] as const;
const TICK_MS = 5;

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Starts `users.length × ratePerUser` requests a second (list, create and toggle in turn, users
 * interleaved evenly) for `seconds`; then waits up to `timeoutMs` for the stragglers.
 */
export function startOpenLoop(opts: {
  url: string;
  users: LoadUser[];
  ratePerUser: number;
  seconds: number;
  timeoutMs: number;
}): { progress: Progress; done: Promise<OpenLoopResult> } {
  const { hostname, port } = new URL(opts.url);
  const agents = opts.users.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const start = performance.now();
  const interval = 1000 / (opts.users.length * opts.ratePerUser);
  const total = Math.floor((opts.seconds * 1000) / interval);
  const progress: Progress = { sent: 0, completed: 0, failed: 0 };
  const errors = new Map<string, { count: number; first: number; last: number }>();
  const latencies = new Float64Array(total);
  let ok = 0;
  const lags = new Float64Array(total);
  let inFlight = 0;
  let lastEnd = 0;
  const fail = (kind: string) => {
    const at = (performance.now() - start) / 1000;
    const seen = errors.get(kind) ?? { count: 0, first: at, last: at };
    errors.set(kind, { count: seen.count + 1, first: seen.first, last: at });
    progress.failed++;
  };

  const send = (j: number, scheduled: number) => {
    const u = j % opts.users.length;
    const user = opts.users[u];
    const agent = agents[u];
    if (!user || !agent) return;
    const operation = OPERATIONS[(Math.floor(j / opts.users.length) + u) % OPERATIONS.length] ?? 'list';
    const body =
      operation === 'create'
        ? '{"title":"soak task"}'
        : operation === 'toggle'
          ? JSON.stringify({ id: user.taskId })
          : undefined;
    lags[progress.sent] = performance.now() - scheduled;
    progress.sent++;
    inFlight++;
    let settled = false;
    const settle = (kind: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight--;
      const end = performance.now();
      lastEnd = Math.max(lastEnd, end);
      if (kind) return fail(kind);
      progress.completed++;
      latencies[ok++] = end - scheduled;
    };
    const req = request(
      {
        agent,
        host: hostname,
        port,
        method: body ? 'POST' : 'GET',
        path: `/api/trpc/task.${operation}`,
        headers: {
          authorization: `Bearer ${user.token}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (status >= 300) chunks.push(chunk);
        });
        res.on('end', () => {
          if (status >= 200 && status < 300) return settle(undefined);
          let message = '';
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              error?: { message?: string };
            };
            message = parsed.error?.message ?? '';
          } catch {
            // not JSON: the status alone
          }
          settle(`HTTP ${status}${message ? ` ${message}` : ''}`);
        });
        res.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
      },
    );
    // From the scheduled time, like the latency: a request queued on its connection counts too.
    const timer = setTimeout(() => {
      settle('timeout');
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    req.end(body);
  };

  const cpuBefore = process.cpuUsage();
  const done = new Promise<OpenLoopResult>((resolve) => {
    let next = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next++;
      }
      if (next < total) return;
      clearInterval(ticker);
      const drainDeadline = performance.now() + opts.timeoutMs + 1_000;
      const drain = setInterval(() => {
        if (inFlight > 0 && performance.now() < drainDeadline) return;
        clearInterval(drain);
        const unfinished = inFlight;
        for (let k = 0; k < unfinished; k++) fail('unfinished');
        for (const agent of agents) agent.destroy();
        const cpu = process.cpuUsage(cpuBefore);
        const sortedLatencies = latencies.slice(0, ok).sort();
        const sortedLags = lags.slice(0, progress.sent).sort();
        resolve({
          ...progress,
          seconds: (Math.max(lastEnd, start + total * interval) - start) / 1000,
          errors,
          latencies: sortedLatencies,
          sendLagP99: percentile(sortedLags, 99),
          sendLagMax: sortedLags[sortedLags.length - 1] ?? NaN,
          unfinished,
          generatorCpuMs: (cpu.user + cpu.system) / 1000,
        });
      }, 50);
    }, TICK_MS);
  });
  return { progress, done };
}
