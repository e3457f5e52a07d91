/**
 * Password storage (OWASP Password Storage Cheat Sheet, ASVS 5.0 V11.4) and the limits that keep a
 * long password from costing more than a normal one. The HTTP part runs on PGlite only: the length
 * and body-size checks answer before any database access, so the backend cannot change them.
 */
import { hashPassword as betterAuthDefaultHash } from 'better-auth/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_MAX } from '../../shared/auth';
import { postAuth, rawRequest } from '../test/http';
import { median } from '../test/sign-in-timing';
import { signUp, startTestServer, type SignedUpUser, type TestServer } from '../test/server';
import { hashPassword, SCRYPT_COST, verifyPassword } from './password';

/** OWASP's equivalent scrypt minimums (r=8): N by p. */
const OWASP_MIN_LOG_N_FOR_P: Record<number, number> = { 1: 17, 2: 16, 3: 15, 5: 14 };

describe('password hashing', () => {
  it('uses a cost at or above an OWASP scrypt minimum, recorded in the hash itself', async () => {
    const { logN, r, p } = SCRYPT_COST;
    expect(r).toBeGreaterThanOrEqual(8);
    const minimum = OWASP_MIN_LOG_N_FOR_P[p];
    expect(minimum).toBeDefined();
    expect(logN).toBeGreaterThanOrEqual(minimum ?? Infinity);
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(
      new RegExp(`^\\$scrypt\\$ln=${logN},r=${r},p=${p}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`),
    );
  });

  it('verifies the right password only, with a fresh salt each time, after Unicode normalization', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword({ hash: a, password: 'correct horse' })).toBe(true);
    expect(await verifyPassword({ hash: a, password: 'correct horsE' })).toBe(false);
    // "é" as one code point and as e + combining accent are the same password.
    const composed = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword({ hash: composed, password: 'cafe\u0301 au lait' })).toBe(true);
  });

  it("still verifies hashes in Better Auth's default format (written before this change)", async () => {
    const legacy = await betterAuthDefaultHash('old password 123');
    expect(legacy).toMatch(/^[0-9a-f]+:[0-9a-f]+$/);
    expect(await verifyPassword({ hash: legacy, password: 'old password 123' })).toBe(true);
    expect(await verifyPassword({ hash: legacy, password: 'old password 124' })).toBe(false);
  });

  it('refuses malformed or tampered hashes without deriving anything expensive', async () => {
    const hash = await hashPassword('pw-123456');
    const started = performance.now();
    for (const bad of [
      '',
      'plaintext',
      hash.replace('ln=16', 'ln=30'),
      hash.replace('p=2', 'p=99'),
      hash.replace(/\$[^$]+$/, '$AAAA'),
      `${hash}$extra`,
    ]) {
      expect(await verifyPassword({ hash: bad, password: 'pw-123456' })).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('password length limits over HTTP (pglite)', () => {
  let server: TestServer;
  let ann: SignedUpUser;
  const SIGN_IN = '/api/auth/sign-in/email';

  beforeAll(async () => {
    server = await startTestServer('pglite');
    ann = await signUp(server, 'ann');
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Median time of `n` sign-ins with this password (a fresh unknown email each time). */
  async function timeSignIn(password: string, n: number): Promise<{ ms: number; statuses: Set<number> }> {
    const times: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < n; i++) {
      const response = await postAuth(server, SIGN_IN, {
        email: `x${i}-${Date.now()}@example.com`,
        password,
      });
      times.push(response.ms);
      statuses.add(response.status);
    }
    return { ms: median(times), statuses };
  }

  it(`refuses ${PASSWORD_MAX + 1}..16K character passwords at sign-in quickly, without hashing`, async () => {
    const normal = await timeSignIn('a normal wrong password', 5);
    expect(normal.statuses).toEqual(new Set([401]));
    for (const length of [PASSWORD_MAX + 1, 1024, 16 * 1024 - 100]) {
      const long = await timeSignIn('p'.repeat(length), 5);
      expect(long.statuses).toEqual(new Set([400]));
      // A hash is hundreds of milliseconds; refusing on length is a few.
      expect(long.ms).toBeLessThan(normal.ms / 4);
    }
    const response = await postAuth(server, SIGN_IN, {
      email: ann.email,
      password: 'p'.repeat(PASSWORD_MAX + 1),
    });
    expect(JSON.parse(response.body)).toMatchObject({ code: 'PASSWORD_TOO_LONG' });
  });

  it('refuses a 1 MB password with 413 before reading it, for less than a normal sign-in costs', async () => {
    const normal = await timeSignIn('a normal wrong password', 3);
    const body = JSON.stringify({ email: ann.email, password: 'p'.repeat(1024 * 1024) });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await rawRequest(server, {
        method: 'POST',
        path: SIGN_IN,
        headers: { 'content-type': 'application/json', origin: server.baseURL },
        body,
      });
      expect(response.status).toBe(413);
      times.push(response.ms);
    }
    expect(median(times)).toBeLessThan(normal.ms);
  });

  it(`refuses a ${PASSWORD_MAX + 1} character password at sign-up`, async () => {
    const response = await postAuth(server, '/api/auth/sign-up/email', {
      name: 'long',
      email: `long-${Date.now()}@example.com`,
      password: 'p'.repeat(PASSWORD_MAX + 1),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'PASSWORD_TOO_LONG' });
  });
});
