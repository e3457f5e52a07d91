/**
 * `npm run bench:sign-in [samples]`: sign-in timing, unknown email vs known email with a wrong
 * password, over HTTP against the real server (PGlite, or PostgreSQL with BENCH_BACKEND=postgres and
 * DATABASE_URL), plus the raw cost of one password hash. Prints a JSON summary for specs/.
 */
import { availableParallelism } from 'node:os';
import { hashPassword, SCRYPT_COST, verifyPassword } from '../server/auth/password';
import type { Backend } from '../server/test/databases';
import { startTestServer } from '../server/test/server';
import {
  mean,
  median,
  probabilityOfSuperiority,
  sampleSignInTiming,
  welchT,
} from '../server/test/sign-in-timing';

const samples = Number(process.argv[2] ?? 200);
const backend: Backend = process.env.BENCH_BACKEND === 'postgres' ? 'postgres' : 'pglite';

const round = (n: number) => Math.round(n * 10) / 10;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};

async function hashTimes(n: number): Promise<{ hash: number[]; verify: number[] }> {
  const hash: number[] = [];
  const verify: number[] = [];
  for (let i = 0; i < n; i++) {
    let started = performance.now();
    const stored = await hashPassword(`correct horse battery staple ${i}`);
    hash.push(performance.now() - started);
    started = performance.now();
    await verifyPassword({ hash: stored, password: 'wrong' });
    verify.push(performance.now() - started);
  }
  return { hash, verify };
}

async function main(): Promise<void> {
  const hashing = await hashTimes(20);
  const server = await startTestServer(backend);
  try {
    const started = performance.now();
    const timing = await sampleSignInTiming(server, samples);
    const summary = {
      machine: { cpus: availableParallelism(), node: process.version, backend },
      scrypt: SCRYPT_COST,
      hashMs: { median: round(median(hashing.hash)), p90: round(percentile(hashing.hash, 0.9)) },
      verifyMs: { median: round(median(hashing.verify)), p90: round(percentile(hashing.verify, 0.9)) },
      signIn: {
        samplesEach: samples,
        distinctAnswers: [...timing.answers],
        unknownEmailMs: {
          median: round(median(timing.unknownEmail)),
          mean: round(mean(timing.unknownEmail)),
          p90: round(percentile(timing.unknownEmail, 0.9)),
        },
        wrongPasswordMs: {
          median: round(median(timing.wrongPassword)),
          mean: round(mean(timing.wrongPassword)),
          p90: round(percentile(timing.wrongPassword, 0.9)),
        },
        medianDifferenceMs: round(median(timing.unknownEmail) - median(timing.wrongPassword)),
        welchT: round(welchT(timing.unknownEmail, timing.wrongPassword) * 100) / 100,
        probabilityUnknownSlower:
          Math.round(probabilityOfSuperiority(timing.unknownEmail, timing.wrongPassword) * 1000) / 1000,
      },
      seconds: round((performance.now() - started) / 1000),
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
