/**
 * Raw HTTP for attack tests: node:http sends the request target byte for byte (fetch would
 * normalize `\`, `..` and the like), and every header exactly as given.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import type { RunningServer } from '../http/start-server';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending to the end of the body. */
  ms: number;
}

export function rawRequest(
  server: Pick<RunningServer, 'url'>,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const url = new URL(server.url);
  const body = opts.body;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: {
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON POST to a Better Auth endpoint as our own web client makes it. */
export function postAuth(
  server: RunningServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(server, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', origin: server.baseURL, ...headers },
    body: JSON.stringify(body),
  });
}
