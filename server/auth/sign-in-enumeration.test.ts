/**
 * No account enumeration at sign-in (ASVS 5.0 V6.3, OWASP API2): an unknown email and a wrong
 * password get the same status and body, and statistically the same time, because Better Auth
 * hashes the submitted password even when no account matches. This is the quick version (20
 * samples each); `npm run bench:sign-in` runs 200+ each and reports the numbers. PGlite only: the
 * time is the password hash, which no backend changes, and a second run would double the cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/server';
import { median, probabilityOfSuperiority, sampleSignInTiming } from '../test/sign-in-timing';

const SAMPLES = 20;

describe('sign-in does not reveal whether an email has an account (pglite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    `answers alike and takes statistically the same time (${SAMPLES} interleaved samples each)`,
    { timeout: 120_000 },
    async () => {
      const samples = await sampleSignInTiming(server, SAMPLES);
      expect([...samples.answers]).toEqual([
        '401 {"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}',
      ]);
      const unknown = median(samples.unknownEmail);
      const wrong = median(samples.wrongPassword);
      // Skipping the hash for unknown emails would make them ~100% faster; allow noise, not that.
      expect(Math.abs(unknown - wrong)).toBeLessThan(0.25 * wrong);
      // 0.5 = indistinguishable; a systematic leak of the hash pushes this to 0 or 1.
      const p = probabilityOfSuperiority(samples.unknownEmail, samples.wrongPassword);
      expect(p).toBeGreaterThan(0.2);
      expect(p).toBeLessThan(0.8);
    },
  );
});
