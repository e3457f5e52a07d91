/**
 * `npx tsx bench/revocation.ts`: what revocation adds to a verification. The check is two Map
 * lookups, so it is measured twice: in a tight loop (ns per check, with 10,000 revoked sessions
 * and 10,000 user cutoffs held), and as whole verifications with and without it (µs, where the
 * RSA signature check dominates and the difference is within noise).
 */
import { JWT_ALGORITHM } from '../server/auth/auth';
import { createCachedKeySet, createJwtVerifier } from '../server/auth/verify-jwt';
import { getToken, signUp, startTestServer } from '../server/test/server';

const server = await startTestServer('pglite', { env: { BETTER_AUTH_URL: 'http://bench.test' } });
try {
  const { revocations } = server.app;
  for (let i = 0; i < 10_000; i++) {
    await revocations.revokeSession({ id: `bench-session-${i}`, userId: `bench-user-${i}` });
    await revocations.revokeUser(`bench-cutoff-user-${i}`);
  }
  const account = await signUp(server, 'bench');
  const token = await getToken(server, account.cookie);

  const claims = { sub: account.id, sid: 'live-session', iat: Math.floor(Date.now() / 1000) };
  const loops = 5_000_000;
  let revoked = 0;
  for (let i = 0; i < 100_000; i++) if (revocations.isRevoked(claims)) revoked++;
  const started = performance.now();
  for (let i = 0; i < loops; i++) if (revocations.isRevoked(claims)) revoked++;
  const nsPerCheck = ((performance.now() - started) * 1e6) / loops;

  const build = (withRevocation: boolean) =>
    createJwtVerifier({
      keys: createCachedKeySet(async () => server.app.auth.api.getJwks()),
      issuer: server.baseURL,
      audience: server.baseURL,
      algorithm: JWT_ALGORITHM,
      maxTokenAgeSeconds: 900,
      ...(withRevocation ? { isRevoked: revocations.isRevoked } : {}),
    });
  const variants = { without: build(false), with: build(true) };
  const rounds = 5;
  const perRound = 2_000;
  const totals = { without: 0, with: 0 };
  for (const verify of Object.values(variants)) {
    for (let i = 0; i < 500; i++) if (!(await verify(token)).ok) throw new Error('token refused');
  }
  // Interleaved rounds, so drift (JIT, GC, CPU frequency) hits both variants alike.
  for (let round = 0; round < rounds; round++) {
    for (const [name, verify] of Object.entries(variants) as [
      keyof typeof variants,
      typeof variants.with,
    ][]) {
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await verify(token);
      totals[name] += performance.now() - t0;
    }
  }
  const us = (ms: number) => ((ms * 1000) / (rounds * perRound)).toFixed(2);
  console.table([
    { measure: 'isRevoked (10k sessions + 10k users held)', value: `${nsPerCheck.toFixed(1)} ns`, revoked },
    { measure: 'verify JWT without revocation check', value: `${us(totals.without)} µs` },
    { measure: 'verify JWT with revocation check', value: `${us(totals.with)} µs` },
    { measure: 'entries held', value: JSON.stringify(revocations.size()) },
  ]);
} finally {
  await server.stop();
}
