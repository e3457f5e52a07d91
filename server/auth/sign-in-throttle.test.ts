/**
 * Per-account protection against guessing from many addresses: the policy on a fake clock against
 * a real database, then the whole behaviour over HTTP (per-address limiter off, addresses rotated
 * through a trusted proxy, as a botnet would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { createTestDatabase, testBackends } from '../test/databases';
import { TEST_SECRET } from '../test/env';
import { postAuth, type RawResponse } from '../test/http';
import { signUp, startTestServer, type SignedUpUser, type TestServer } from '../test/server';
import {
  createSignInThrottle,
  delayFor,
  DEVICE_COOKIE,
  SIGN_IN_THROTTLE,
  type SignInThrottle,
} from './sign-in-throttle';

const SIGN_IN = '/api/auth/sign-in/email';

describe('delayFor', () => {
  it('allows the free failures, then doubles from 30 s up to a 15 minute cap', () => {
    const delays = Array.from({ length: 12 }, (_, i) => delayFor(i + 1, SIGN_IN_THROTTLE));
    expect(delays).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
    expect(delayFor(10_000, SIGN_IN_THROTTLE)).toBe(900);
  });
});

describe.each(testBackends)('sign-in throttle on %s', (backend) => {
  describe('policy on a fake clock', () => {
    let database: DatabaseHandle;
    let clock = Date.UTC(2026, 0, 1);
    const throttle = () => createSignInThrottle({ db: database.db, secret: TEST_SECRET, now: () => clock });
    /** One check that fails, as an endpoint makes it: reserve, then settle; returns the delay earned. */
    const fail = async (t: SignInThrottle, key: string) => {
      expect(await t.reserve(key)).toBe(0);
      return t.complete(key, 'failure');
    };

    beforeAll(async () => {
      database = await createTestDatabase(backend);
    });
    afterAll(async () => {
      await database?.close();
    });

    it('locks after the free failures, releases when the delay has passed, forgets after a quiet hour', async () => {
      const t = throttle();
      const key = t.keyFor('Victim@Example.com');
      expect(key).toBe(t.keyFor('victim@example.com'));
      expect(key).not.toContain('victim');
      for (let i = 0; i < 4; i++) expect(await fail(t, key)).toBe(0);
      expect(await t.secondsLocked(key)).toBe(0);
      expect(await fail(t, key)).toBe(30);
      expect(await t.secondsLocked(key)).toBe(30);
      clock += 29_000;
      expect(await t.secondsLocked(key)).toBe(1);
      clock += 1_000;
      expect(await t.secondsLocked(key)).toBe(0);
      expect(await fail(t, key)).toBe(60);
      clock += 61 * 60_000;
      expect(await t.secondsLocked(key)).toBe(0);
      // A quiet hour resets the count: the next failure is the first again.
      expect(await fail(t, key)).toBe(0);
      await t.reset(key);
      expect(await t.secondsLocked(key)).toBe(0);
    });

    it('reserves checks before they run: no more in flight than free failures left, one at a time past them', async () => {
      const t = throttle();
      const key = t.keyFor('burst@example.com');
      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures; i++) expect(await t.reserve(key)).toBe(0);
      expect(await t.reserve(key)).toBe(1);
      // A known device is counted even past the allowance.
      expect(await t.reserve(key, { force: true })).toBe(0);
      await t.complete(key, 'none');
      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures - 1; i++) await t.complete(key, 'failure');
      // Four failures and one check in flight: nothing else may start.
      expect(await t.reserve(key)).toBe(1);
      expect(await t.complete(key, 'failure')).toBe(30);
      expect(await t.reserve(key)).toBe(30);
      clock += 30_000;
      expect(await t.reserve(key)).toBe(0);
      expect(await t.reserve(key)).toBe(1);
      await t.complete(key, 'success');
      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures; i++) expect(await t.reserve(key)).toBe(0);
    });

    it('voids a reservation that never finished (a crash) once it is older than its limit', async () => {
      const t = throttle();
      const key = t.keyFor('crashed@example.com');
      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures; i++) expect(await t.reserve(key)).toBe(0);
      expect(await t.reserve(key)).toBeGreaterThan(0);
      clock += SIGN_IN_THROTTLE.reservationSeconds * 1000 + 1;
      expect(await t.reserve(key)).toBe(0);
    });

    it('accepts only its own, unexpired known-device cookie for the same account', () => {
      const t = throttle();
      const key = t.keyFor('ann@example.com');
      const cookie = t.deviceCookieFor(key);
      expect(t.isKnownDevice(key, cookie)).toBe(true);
      expect(t.isKnownDevice(t.keyFor('bob@example.com'), cookie)).toBe(false);
      expect(t.isKnownDevice(key, `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
      expect(t.isKnownDevice(key, undefined)).toBe(false);
      const other = createSignInThrottle({
        db: database.db,
        secret: `${TEST_SECRET}-other`,
        now: () => clock,
      });
      expect(other.isKnownDevice(key, cookie)).toBe(false);
      clock += 91 * 24 * 60 * 60_000;
      expect(t.isKnownDevice(key, cookie)).toBe(false);
    });
  });

  describe('over HTTP, from rotating addresses', () => {
    let server: TestServer;
    let victim: SignedUpUser;
    let address = 0;
    /** A sign-in from a fresh address each time, as a botnet would send it. */
    const attempt = (email: string, password: string, headers: Record<string, string> = {}) =>
      postAuth(
        server,
        SIGN_IN,
        { email, password },
        { 'x-forwarded-for': `198.51.100.${++address}`, ...headers },
      );
    const cookieFrom = (response: RawResponse, name: string) =>
      (response.headers['set-cookie'] ?? [])
        .map((c) => c.split(';', 1)[0] ?? '')
        .find((c) => c.startsWith(`${name}=`));

    beforeAll(async () => {
      server = await startTestServer(backend, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
      victim = await signUp(server, 'victim');
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('refuses even the right password for a while after 5 failures from 5 addresses, then lets the owner in', async () => {
      // The owner's browser signed in earlier and holds a known-device cookie.
      const earlier = await attempt(victim.email, victim.password);
      expect(earlier.status).toBe(200);
      const device = cookieFrom(earlier, DEVICE_COOKIE);
      expect(device).toBeDefined();
      expect(earlier.headers['set-cookie']?.find((c) => c.startsWith(DEVICE_COOKIE))).toMatch(
        /HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/i,
      );

      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures; i++) {
        expect((await attempt(victim.email, `wrong-password-${i}`)).status).toBe(401);
      }
      const locked = await attempt(victim.email, victim.password);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(25);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(30);
      expect(JSON.parse(locked.body)).toMatchObject({ code: 'TOO_MANY_FAILED_ATTEMPTS' });
      expect(locked.headers['set-cookie']).toBeUndefined();
      // Upper-case email is the same account.
      expect((await attempt(victim.email.toUpperCase(), victim.password)).status).toBe(429);

      // The owner's known device still gets in (with the password), and that clears the count.
      const owner = await attempt(victim.email, victim.password, { cookie: device ?? '' });
      expect(owner.status).toBe(200);
      expect((await attempt(victim.email, victim.password)).status).toBe(200);
    });

    it('treats an unknown email exactly like a real one: same statuses, messages and lock', async () => {
      const unknown = `nobody-${Date.now()}@example.com`;
      const real = await signUp(server, 'real');
      const bodies = async (email: string) => {
        const seen: string[] = [];
        for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures + 1; i++) {
          const response = await attempt(email, `wrong-password-${i}`);
          seen.push(`${response.status} ${response.body.replace(/\d+ seconds/, 'N seconds')}`);
        }
        return seen;
      };
      const forUnknown = await bodies(unknown);
      expect(forUnknown).toEqual(await bodies(real.email));
      expect(forUnknown.at(0)).toMatch(/^401 .*Invalid email or password/);
      expect(forUnknown.at(-1)).toMatch(/^429 /);
    });

    it('does not count attempts made during a lock, so hammering does not extend it', async () => {
      const target = await signUp(server, 'target');
      for (let i = 0; i < SIGN_IN_THROTTLE.freeFailures; i++) await attempt(target.email, `wrong-${i}`);
      const first = await attempt(target.email, 'wrong-again');
      for (let i = 0; i < 5; i++) expect((await attempt(target.email, `wrong-more-${i}`)).status).toBe(429);
      const last = await attempt(target.email, 'wrong-again');
      expect(Number(last.headers['retry-after'])).toBeLessThanOrEqual(Number(first.headers['retry-after']));
    });
  });
});
