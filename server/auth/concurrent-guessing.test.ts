/**
 * Attack: guesses sent at the same moment, so that they all arrive while the first ones are still
 * hashing (issue 9, finding 1). Each endpoint that checks a password must count an attempt before
 * it hashes, so no burst gets more than the policy's free failures, whatever the number of
 * addresses, and the right password sent after the allowance is used up is refused.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../test/databases';
import { postAuth, type RawResponse } from '../test/http';
import { signIn, signUp, startTestServer, type TestServer } from '../test/server';
import { SIGN_IN_THROTTLE } from './sign-in-throttle';

const SIGN_IN = '/api/auth/sign-in/email';
const CHANGE_PASSWORD = '/api/auth/change-password';
const VERIFY_PASSWORD = '/api/auth/verify-password';
const BURST = 24;
/** The right password goes out this long after the wrong ones, while they are still hashing. */
const LATE_MS = 100;

/** A socket per guess, as separate clients would open: no reuse of a pooled socket the server is closing. */
const NEW_CONNECTION = { connection: 'close' };

const statuses = (responses: RawResponse[]) =>
  responses.reduce<Record<number, number>>(
    (counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }),
    {},
  );

describe.each(testBackends)('concurrent guessing on %s', (backend) => {
  let server: TestServer;
  let address = 0;
  const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${(++address % 250) + 1}` });

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** `BURST` wrong guesses at once, then the right password while they are in flight. */
  async function burst(send: (password: string, i: number) => Promise<RawResponse>, right: string) {
    const wrong = Array.from({ length: BURST }, (_, i) => send(`wrong-password-${i}`, i));
    await wait(LATE_MS);
    const late = await Promise.all([send(right, BURST), send(right, BURST + 1)]);
    return { wrong: await Promise.all(wrong), late };
  }

  it.each([
    ['one address', () => ({})],
    ['a new address per guess (trusted proxy)', fromNewAddress],
  ])(
    `sign-in: ${BURST} simultaneous guesses from %s check at most ${SIGN_IN_THROTTLE.freeFailures} passwords; the right one sent after is refused`,
    async (_, headers) => {
      const victim = await signUp(server, 'burst-victim');
      const { wrong, late } = await burst(
        (password) =>
          postAuth(server, SIGN_IN, { email: victim.email, password }, { ...NEW_CONNECTION, ...headers() }),
        victim.password,
      );
      const counts = statuses(wrong);
      expect(counts[401] ?? 0).toBeLessThanOrEqual(SIGN_IN_THROTTLE.freeFailures);
      expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
      expect(late.map((r) => r.status)).toEqual([429, 429]);
      expect(late.every((r) => r.headers['set-cookie'] === undefined)).toBe(true);
      for (const r of [...wrong, ...late].filter((r) => r.status === 429)) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(JSON.parse(r.body)).toMatchObject({ code: 'TOO_MANY_FAILED_ATTEMPTS' });
      }
    },
  );

  it(`an unknown email is reserved and refused exactly like a real one under a burst`, async () => {
    const unknown = `nobody-burst-${Date.now()}@example.com`;
    const { wrong, late } = await burst(
      (password) =>
        postAuth(server, SIGN_IN, { email: unknown, password }, { ...NEW_CONNECTION, ...fromNewAddress() }),
      'correct horse battery staple',
    );
    expect(statuses(wrong)[401] ?? 0).toBeLessThanOrEqual(SIGN_IN_THROTTLE.freeFailures);
    expect(late.map((r) => r.status)).toEqual([429, 429]);
  });

  it(`change-password: ${BURST} simultaneous current-password guesses with a stolen session check at most ${SIGN_IN_THROTTLE.freeFailures}, and share the sign-in budget`, async () => {
    const victim = await signUp(server, 'burst-session');
    const change = (currentPassword: string) =>
      postAuth(
        server,
        CHANGE_PASSWORD,
        { currentPassword, newPassword: 'the attacker chose this one', revokeOtherSessions: true },
        { ...NEW_CONNECTION, cookie: victim.cookie, ...fromNewAddress() },
      );
    const { wrong, late } = await burst(change, victim.password);
    const counts = statuses(wrong);
    expect(counts[400] ?? 0).toBeLessThanOrEqual(SIGN_IN_THROTTLE.freeFailures);
    expect((counts[400] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
    expect(late.map((r) => r.status)).toEqual([429, 429]);
    // The password did not change, and the account is locked for sign-in too.
    expect((await postAuth(server, SIGN_IN, { email: victim.email, password: victim.password })).status).toBe(
      429,
    );
  });

  it(`verify-password (reachable over HTTP): ${BURST} simultaneous guesses check at most ${SIGN_IN_THROTTLE.freeFailures}`, async () => {
    const victim = await signUp(server, 'burst-verify');
    const { wrong, late } = await burst(
      (password) =>
        postAuth(
          server,
          VERIFY_PASSWORD,
          { password },
          { ...NEW_CONNECTION, cookie: victim.cookie, ...fromNewAddress() },
        ),
      victim.password,
    );
    const counts = statuses(wrong);
    expect(counts[400] ?? 0).toBeLessThanOrEqual(SIGN_IN_THROTTLE.freeFailures);
    expect((counts[400] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
    expect(late.map((r) => r.status)).toEqual([429, 429]);
  });

  it('change-password still works for the owner, and a wrong current password is refused', async () => {
    const owner = await signUp(server, 'changer');
    const change = (currentPassword: string, newPassword: string) =>
      postAuth(server, CHANGE_PASSWORD, { currentPassword, newPassword }, { cookie: owner.cookie });
    const wrong = await change('not my password', 'a brand new passphrase');
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body)).toMatchObject({ code: 'INVALID_PASSWORD' });
    expect((await change(owner.password, 'a brand new passphrase')).status).toBe(200);
    await expect(
      signIn(server, { email: owner.email, password: 'a brand new passphrase' }),
    ).resolves.toBeTruthy();
  });
});
