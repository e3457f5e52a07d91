/**
 * Measures sign-in with an unknown email against sign-in with a known email and a wrong password,
 * over HTTP, interleaved so that drift (GC, other processes, a warming cache) hits both alike.
 * Shared by the suite's quick check and `npm run bench:sign-in` (bench/sign-in-timing.ts).
 */
import { isNotNull } from 'drizzle-orm';
import { signInThrottle } from '../db/security-schema';
import { postAuth } from './http';
import { signUp, type TestServer } from './server';

export interface TimingSamples {
  unknownEmail: number[];
  wrongPassword: number[];
  /** Every distinct "status body" pair seen; one entry means the answers were indistinguishable. */
  answers: Set<string>;
}

export async function sampleSignInTiming(server: TestServer, samplesEach: number): Promise<TimingSamples> {
  const known = await signUp(server, 'timing');
  const result: TimingSamples = { unknownEmail: [], wrongPassword: [], answers: new Set() };
  const once = async (email: string) => {
    // The per-account throttle would lock the known account after 5 failures; it is measured on
    // its own (sign-in-throttle.test.ts), so clear it and time the password path only.
    await server.database.db.delete(signInThrottle).where(isNotNull(signInThrottle.key));
    const response = await postAuth(server, '/api/auth/sign-in/email', {
      email,
      password: 'not the right password',
    });
    result.answers.add(`${response.status} ${response.body}`);
    return response.ms;
  };
  // Warm-up: the first requests pay for JIT and connection set-up.
  for (let i = 0; i < 3; i++) {
    await once(known.email);
    await once(`warmup-${i}@example.com`);
  }
  for (let i = 0; i < samplesEach; i++) {
    // Alternate which goes first so neither always follows the other.
    const unknown = `nobody-${i}-${Date.now()}@example.com`;
    if (i % 2 === 0) {
      result.wrongPassword.push(await once(known.email));
      result.unknownEmail.push(await once(unknown));
    } else {
      result.unknownEmail.push(await once(unknown));
      result.wrongPassword.push(await once(known.email));
    }
  }
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Welch's t statistic for the difference of means (|t| > ~2 suggests a real difference). */
export function welchT(a: number[], b: number[]): number {
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1);
  };
  return (mean(a) - mean(b)) / Math.sqrt(variance(a) / a.length + variance(b) / b.length);
}

/**
 * Mann-Whitney U as the probability that a random `a` sample is slower than a random `b` sample
 * (0.5 = indistinguishable), which unlike a mean is not dragged by a few GC pauses.
 */
export function probabilityOfSuperiority(a: number[], b: number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}
