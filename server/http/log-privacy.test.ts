/**
 * What the server logs while it is attacked, at `debug`: never an email, a task's title or
 * description, a password or a token, and for a database failure its code, constraint and routine
 * rather than the statement and its parameters (ASVS 5.0 V16.2.5, V14.2.4).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../test/captured-log';
import { testBackends } from '../test/databases';
import { postAuth, rawRequest } from '../test/http';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';

describe.each(testBackends)('the log of an attacked server on %s', (backend) => {
  let server: TestServer;
  const { log, output } = captureLog('debug');

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: { RATE_LIMIT_ENABLED: 'true' },
      log,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('holds no email, title, description, password or token, and says what a database failure was', async () => {
    const ann = await signUp(server, 'ann');
    const token = await getToken(server, ann.cookie);
    const title = 'Secret title: call the lawyer 4711';
    const description = 'Secret description: the account number 0815';
    const refused = 'Refused title: the diagnosis 2342';
    const never: string[] = [
      ann.email,
      ann.password,
      title,
      description,
      refused,
      token,
      ...token.split('.'),
    ];
    const trpc = (procedure: string, body: unknown) =>
      rawRequest(server, {
        method: 'POST',
        path: `/api/trpc/task.${procedure}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // A duplicate sign-up: Better Auth's own message names the email.
    const duplicate = await postAuth(server, '/api/auth/sign-up/email', {
      name: 'Ann again',
      email: ann.email,
      password: 'another password 123456',
    });
    expect(duplicate.status).toBeGreaterThanOrEqual(400);
    const wrong = await postAuth(server, '/api/auth/sign-in/email', {
      email: ann.email,
      password: 'wrong-4711-pw',
    });
    expect(wrong.status).toBe(401);
    never.push('another password 123456', 'wrong-4711-pw');

    expect((await trpc('create', { title, description })).status).toBe(200);
    // A database failure the code does not expect (a constraint added behind its back): a 500,
    // whose statement carries the caller's id and title as parameters.
    await server.database.db.execute(
      sql.raw(`alter table task add constraint no_refused_titles check (title not like 'Refused%')`),
    );
    const failed = await trpc('create', { title: refused, description });
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain(refused);

    const forged = Buffer.from(JSON.stringify(['0000-01-01T00:00:00Z', ann.id])).toString('base64url');
    const list = await rawRequest(server, {
      path: `/api/trpc/task.list?input=${encodeURIComponent(JSON.stringify({ cursor: forged }))}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(400);

    const log = output.join('');
    for (const value of never)
      expect(log, 'personal data or a credential reached the log').not.toContain(value);
    expect(log).not.toMatch(/@example\.com|Failed query|params:|insert into|"parameters"|bearer /i);

    const lines = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg?: string; err?: Record<string, unknown> });
    const failure = lines.find((line) => line.msg === 'procedure failed');
    expect(failure?.err).toMatchObject({ code: '23514', constraint: 'no_refused_titles', table: 'task' });
  });
});
