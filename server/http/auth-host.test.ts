/**
 * Attack: the Host header (or X-Forwarded-Proto) chooses the Better Auth route (issue 9, finding
 * 7). Better Auth's node adapter concatenates them with the request target, so `POST /api/auth/ok`
 * with `Host: 127.0.0.1:PORT/api/auth/sign-in/email?` used to run sign-in while our HTTP layer
 * (path checks, logs) saw `/api/auth/ok`. The route that runs must be the path that was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../test/databases';
import { postAuth } from '../test/http';
import { signUp, startTestServer, type SignedUpUser, type TestServer } from '../test/server';

describe.each(testBackends)('the auth route is the path sent, whatever Host says, on %s', (backend) => {
  let server: TestServer;
  let user: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(backend);
    user = await signUp(server, 'host');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['Host', (host: string) => ({ host: `${host}/api/auth/sign-in/email?` })],
    [
      'X-Forwarded-Proto',
      (host: string) => ({ 'x-forwarded-proto': `http://${host}/api/auth/sign-in/email?` }),
    ],
    ['X-Forwarded-Host', (host: string) => ({ 'x-forwarded-host': `${host}/api/auth/sign-in/email?` })],
  ])('a %s carrying another route does not run it', async (_, smuggle) => {
    const host = new URL(server.url).host;
    const response = await postAuth(
      server,
      '/api/auth/ok',
      { email: user.email, password: user.password },
      smuggle(host),
    );
    expect(response.status).not.toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body).not.toContain(user.id);
  });

  it('still serves the route that was sent when Host names another site', async () => {
    const response = await postAuth(
      server,
      '/api/auth/sign-in/email',
      { email: user.email, password: user.password },
      { host: 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ user: { id: user.id } });
  });
});
