/**
 * Signing-key rotation with two running API instances on one database: tokens of the previous
 * key keep working through the grace period, new tokens carry the new kid and verify everywhere
 * at once, a removed (or past-grace) key's tokens fail everywhere within seconds, and nothing
 * needs a restart. The emergency command itself runs as a child process on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwks } from '../db/auth-schema';
import { testBackends } from '../test/databases';
import { TEST_SECRET } from '../test/env';
import {
  apiStatus,
  getToken,
  signUp,
  startSecondInstance,
  startTestServer,
  type SignedUpUser,
  type TestServer,
} from '../test/server';
import { waitFor } from '../test/wait';
import { rotateSigningKeys } from './key-rotation';
import { announceKeyChange } from './revocation';

const PUBLIC_URL = 'http://tasks.test';
const PROPAGATION_LIMIT_MS = 5_000;
const GRACE_DAYS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

const kid = (token: string) => decodeProtectedHeader(token).kid;

describe.each(testBackends)('signing-key rotation across two API instances on %s', (backend) => {
  let one: TestServer;
  let two: Awaited<ReturnType<typeof startSecondInstance>>;
  let user: SignedUpUser;
  const env = { BETTER_AUTH_URL: PUBLIC_URL, JWT_GRACE_DAYS: String(GRACE_DAYS) };

  beforeAll(async () => {
    one = await startTestServer(backend, { env });
    two = await startSecondInstance(one, { env });
    user = await signUp(one, 'rotation');
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  const everywhere = async (token: string) => [await apiStatus(one, token), await apiStatus(two, token)];
  const refusedEverywhere = (token: string, what: string) =>
    waitFor(async () => (await everywhere(token)).every((status) => status === 401), {
      timeoutMs: PROPAGATION_LIMIT_MS,
      what,
    });

  it('grace rotation: the previous key keeps verifying, new tokens use the new key on every instance', async () => {
    const before = await getToken(one, user.cookie);
    expect(await everywhere(before)).toEqual([200, 200]); // both instances have loaded the key set

    const result = await rotateSigningKeys(one.app.auth, one.database.db, { removePrevious: false });
    expect(result.retiredKeyIds).toContain(kid(before));
    expect(result.removedKeyIds).toEqual([]);

    const after = await getToken(one, user.cookie);
    expect(kid(after)).toBe(result.newKeyId);
    expect(kid(after)).not.toBe(kid(before));
    // The other instance verified a token a moment ago (inside its reload cool-down), yet takes
    // the new key without a restart: the rotation was announced.
    await waitFor(async () => (await everywhere(after)).every((status) => status === 200), {
      timeoutMs: PROPAGATION_LIMIT_MS,
      what: 'new-key token accepted everywhere',
    });
    expect(await everywhere(before)).toEqual([200, 200]);
  });

  it('a token from a rotated-out key fails once its grace period is over', async () => {
    const old = await getToken(one, user.cookie);
    const { newKeyId } = await rotateSigningKeys(one.app.auth, one.database.db, { removePrevious: false });
    const oldKid = kid(old);
    if (!oldKid) throw new Error('token without kid');
    expect(await everywhere(old)).toEqual([200, 200]);
    // Move the retired key's expiry back past the grace period, as if the days had gone by.
    await one.database.db
      .update(jwks)
      .set({ expiresAt: new Date(Date.now() - (GRACE_DAYS * DAY_MS + 60_000)) })
      .where(eq(jwks.id, oldKid));
    await announceKeyChange(one.database.db);

    await refusedEverywhere(old, 'past-grace token refused everywhere');
    const fresh = await getToken(two, user.cookie);
    expect(kid(fresh)).toBe(newKeyId);
    expect(await everywhere(fresh)).toEqual([200, 200]);
  });

  it('emergency rotation that removes the previous key: its tokens fail everywhere within seconds', async () => {
    const compromised = await getToken(one, user.cookie);
    const alsoOld = await getToken(two, user.cookie);
    expect(await everywhere(compromised)).toEqual([200, 200]);

    const result = await rotateSigningKeys(one.app.auth, one.database.db, { removePrevious: true });
    expect(result.removedKeyIds).toContain(kid(compromised));
    const served = await one.app.auth.api.getJwks();
    expect(served.keys.map((k) => k.kid)).toEqual([result.newKeyId]);

    await refusedEverywhere(compromised, 'removed-key token refused everywhere');
    await refusedEverywhere(alsoOld, 'removed-key token refused everywhere');
    // Sessions are untouched: the user simply gets a token signed by the new key.
    const fresh = await getToken(two, user.cookie);
    expect(kid(fresh)).toBe(result.newKeyId);
    expect(await everywhere(fresh)).toEqual([200, 200]);
  });

  it('scheduled rotation: a key Better Auth mints on one instance is accepted by the other at once', async () => {
    const current = await getToken(one, user.cookie);
    expect(await everywhere(current)).toEqual([200, 200]);
    // The rotation interval has elapsed (no announcement: this is what time passing looks like).
    await one.database.db.execute(sql`update jwks set expires_at = now() where expires_at > now()`);

    const minted = await getToken(one, user.cookie); // Better Auth mints the successor lazily
    expect(kid(minted)).not.toBe(kid(current));
    // Without the announcement instance two would refuse this until its 30 s cool-down passed.
    const elapsed = await waitFor(async () => (await apiStatus(two, minted)) === 200, {
      timeoutMs: PROPAGATION_LIMIT_MS,
      what: 'lazily minted key accepted on the other instance',
    });
    expect(elapsed).toBeLessThan(PROPAGATION_LIMIT_MS);
    expect(await everywhere(current)).toEqual([200, 200]); // still inside its grace period
  });

  it.skipIf(backend !== 'postgres')(
    'the auth:rotate-keys command rotates beside running instances',
    async () => {
      const before = await getToken(one, user.cookie);
      const run = (args: string[]) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/rotate-keys.ts', ...args], {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            DATABASE_URL: one.database.url,
            BETTER_AUTH_SECRET: TEST_SECRET,
            BETTER_AUTH_URL: PUBLIC_URL,
            JWT_GRACE_DAYS: String(GRACE_DAYS),
            LOG_LEVEL: 'silent',
          },
        });

      const graceful = await run([]);
      expect(graceful.stdout).toMatch(/New signing key: \S+/);
      expect(graceful.stdout).not.toContain(TEST_SECRET);
      const rotated = await getToken(two, user.cookie);
      expect(kid(rotated)).not.toBe(kid(before));
      expect(await everywhere(before)).toEqual([200, 200]);
      await waitFor(async () => (await everywhere(rotated)).every((status) => status === 200), {
        timeoutMs: PROPAGATION_LIMIT_MS,
        what: 'token of the command-made key accepted everywhere',
      });

      const removal = await run(['--remove-previous']);
      expect(removal.stdout).toMatch(/Removed \(their tokens now fail\)/);
      await refusedEverywhere(before, 'removed by command');
      await refusedEverywhere(rotated, 'removed by command');
      expect(await everywhere(await getToken(one, user.cookie))).toEqual([200, 200]);
    },
    30_000,
  );
});
