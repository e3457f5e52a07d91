/**
 * Debian's HAProxy in front of API instances, for scale-out fault tests: its own config in a temp
 * folder, a free loopback port, round robin, health checks on /healthz, and L7 retries with
 * redispatch so requests a draining instance cannot take move to another one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait';

const HAPROXY = '/usr/sbin/haproxy';

/** Why HAProxy cannot be started here, or undefined when it can. */
export function haproxyUnavailable(): string | undefined {
  return existsSync(HAPROXY)
    ? undefined
    : `${HAPROXY} not found (apt-get install -y --no-install-recommends haproxy)`;
}

export interface Balancer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The generated configuration, for failure messages. */
  config: string;
  /** Everything HAProxy wrote to stderr. */
  output: string[];
  stop(): Promise<void>;
}

/** Each response names the instance that served it (`server` names below) in this header. */
export const SERVED_BY = 'x-served-by';

export function haproxyConfig(port: number, servers: { name: string; url: string }[]): string {
  return `global
  maxconn 1024

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
  option forwardfor
  # A request an instance refused (listener closed) or closed without answering (an idle
  # connection it shut while draining) is sent again, to another instance: nothing it answered
  # is ever resent, so a create is never run twice.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response

frontend api
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  # Generous for a busy machine: a slow check must not take a healthy instance out. A draining
  # one is taken out within about half a second; until then retries cover its refusals.
  timeout check 2s
  default-server inter 250ms fastinter 100ms downinter 250ms fall 2 rise 1
  http-response set-header X-Served-By %[srv_name]
${servers.map((s) => `  server ${s.name} ${new URL(s.url).host} check`).join('\n')}
`;
}

/** Starts HAProxy on `port` in front of `servers`; resolves once a request through it is answered 200. */
export async function startBalancer(
  port: number,
  servers: { name: string; url: string }[],
): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'tasks-haproxy-'));
  const config = haproxyConfig(port, servers);
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const output: string[] = [];
  // -db: stay in the foreground, so the test owns the process and its exit.
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  // Should the test process end without stop() (a timeout, a crash), HAProxy goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!gone) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (gone) throw new Error(`haproxy exited:\n${output.join('')}\n${config}`);
        const response = await fetch(`${url}/healthz`).catch(() => undefined);
        await response?.body?.cancel();
        return response?.status === 200;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'haproxy answering /healthz' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, config, output, stop };
}
