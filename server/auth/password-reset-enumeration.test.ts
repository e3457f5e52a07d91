/**
 * No account enumeration when asking for a reset link or a new verification mail (ASVS 5.0 V6.3,
 * OWASP API2): a known and an unknown email get the same status and body, and statistically the
 * same time (equal-time.ts), although only the known one makes a token and counts a mail. Quick
 * version, 20 interleaved samples each; PGlite only, as for sign-in (sign-in-enumeration.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAuth } from '../test/http';
import { signUp, startTestServer, type TestServer } from '../test/server';
import { median, probabilityOfSuperiority } from '../test/sign-in-timing';
import { EQUAL_TIME_FLOOR_MS } from './equal-time';

const SAMPLES = 20;

describe('asking for a mail does not reveal whether an email has an account (pglite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['a reset link', '/api/auth/request-password-reset'],
    ['a new verification mail', '/api/auth/send-verification-email'],
  ])(
    `%s: answers alike and takes statistically the same time (${SAMPLES} interleaved samples each)`,
    { timeout: 120_000 },
    async (_, path) => {
      const known = await signUp(server, 'enumeration');
      const answers = new Set<string>();
      const times = { known: [] as number[], unknown: [] as number[] };
      const once = async (email: string) => {
        const response = await postAuth(server, path, { email });
        answers.add(`${response.status} ${response.body}`);
        return response.ms;
      };
      for (let i = 0; i < 2; i++) await Promise.all([once(known.email), once(`warmup-${i}@example.com`)]);
      for (let i = 0; i < SAMPLES; i++) {
        const unknown = `nobody-${i}-${Date.now()}@example.com`;
        if (i % 2 === 0) {
          times.known.push(await once(known.email));
          times.unknown.push(await once(unknown));
        } else {
          times.unknown.push(await once(unknown));
          times.known.push(await once(known.email));
        }
      }
      expect(answers.size).toBe(1);
      expect([...answers][0]).toMatch(/^200 /);
      // Both wait for the floor rather than for their work.
      expect(median(times.unknown)).toBeGreaterThanOrEqual(EQUAL_TIME_FLOOR_MS);
      // Without the floor the known email's median was 2.3x the unknown one's (6.6 vs 2.8 ms).
      const [slowest, fastest] = [median(times.known), median(times.unknown)].sort((a, b) => b - a);
      expect((slowest ?? 0) - (fastest ?? 0)).toBeLessThan(0.25 * (slowest ?? 0));
      // 0.5 = indistinguishable; a few database writes on one side only push this to 0 or 1.
      const p = probabilityOfSuperiority(times.known, times.unknown);
      expect(p).toBeGreaterThan(0.2);
      expect(p).toBeLessThan(0.8);
    },
  );
});
