import type { ServerResponse } from 'node:http';

/** Ends `res` with a JSON body: the shape of every answer the HTTP layer gives itself. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}
