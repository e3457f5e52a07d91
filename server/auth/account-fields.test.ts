/**
 * Attack: account fields past the limits of shared/auth.ts (issue 9, finding 5). A 272-character
 * email used to sign up, dodge the per-account throttle (it skipped what it could not parse) and
 * get a JWT the API then refused; a 15 000-character name was stored. Over HTTP, real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAME_MAX } from '../../shared/auth';
import { testBackends } from '../test/databases';
import { postAuth, rawRequest } from '../test/http';
import { signUp, startTestServer, type TestServer } from '../test/server';

const PASSWORD = 'correct horse battery staple';
/** 272 characters, valid by Better Auth's own check; unique per call. */
let longCount = 0;
const longEmail = () => `${String(++longCount).padStart(4, '0')}${'a'.repeat(256)}@example.com`;
`${'a'.repeat(260)}${Date.now() % 100}@example.com`.slice(-272).replace(/^[^a]*/, 'a');

describe.each(testBackends)('account field limits on %s', (backend) => {
  let server: TestServer;
  let n = 0;
  const email = () => `fields-${++n}-${Date.now()}@example.com`;
  const signUpWith = (body: Record<string, unknown>) => postAuth(server, '/api/auth/sign-up/email', body);

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a sign-up whose email is over 254 characters, and the account does not exist', async () => {
    const address = longEmail();
    expect(address.length).toBeGreaterThan(254);
    const response = await signUpWith({ name: 'Long', email: address, password: PASSWORD });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_EMAIL' });
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a sign-in whose email it cannot key (400), rather than checking it unthrottled', async () => {
    for (let i = 0; i < 7; i++) {
      const response = await postAuth(
        server,
        '/api/auth/sign-in/email',
        { email: longEmail(), password: `wrong-${i}` },
        { 'x-forwarded-for': `198.51.100.${i + 1}` },
      );
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_EMAIL' });
    }
  });

  it.each([
    ['15 000 characters', 'n'.repeat(15_000)],
    [`${NAME_MAX + 1} characters`, 'n'.repeat(NAME_MAX + 1)],
    ['only spaces', '   '],
  ])('refuses a sign-up whose name is %s', async (_, name) => {
    const response = await signUpWith({ name, email: email(), password: PASSWORD });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_NAME' });
  });

  it(`accepts a ${NAME_MAX}-character name and stores names trimmed`, async () => {
    const full = await signUpWith({ name: 'n'.repeat(NAME_MAX), email: email(), password: PASSWORD });
    expect(full.status).toBe(200);
    const padded = await signUpWith({ name: '  Ann  ', email: email(), password: PASSWORD });
    expect(padded.status).toBe(200);
    expect(JSON.parse(padded.body)).toMatchObject({ user: { name: 'Ann' } });
  });

  it('refuses a profile update past the name limit and keeps the old name; accepts one within it', async () => {
    const user = await signUp(server, 'profile');
    const update = (name: string) =>
      postAuth(server, '/api/auth/update-user', { name }, { cookie: user.cookie });
    const currentName = async () => {
      const response = await rawRequest(server, {
        path: '/api/auth/get-session',
        headers: { cookie: user.cookie, origin: server.baseURL },
      });
      return (JSON.parse(response.body) as { user: { name: string } }).user.name;
    };
    for (const name of ['n'.repeat(15_000), 'n'.repeat(NAME_MAX + 1), ' ']) {
      const response = await update(name);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_NAME' });
    }
    expect(await currentName()).toBe('profile');
    expect((await update('  Renamed  ')).status).toBe(200);
    expect(await currentName()).toBe('Renamed');
  });
});
