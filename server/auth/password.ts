/**
 * Password hashing for Better Auth's `emailAndPassword.password`: scrypt from node:crypto (no native
 * dependency) at an OWASP Password Storage Cheat Sheet cost, in a self-describing PHC-style string so
 * the cost can be raised later without breaking stored hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { verifyPassword as verifyBetterAuthDefault } from 'better-auth/crypto';

/**
 * N=2^16, r=8, p=2: one of OWASP's equivalent scrypt minimums. Chosen over N=2^17,p=1 because it
 * halves peak memory (64 MiB per hash; libuv runs at most 4 at once) for ~15% less time on this
 * hardware; see specs/auth-hardening.md for the measurements.
 */
export const SCRYPT_COST = { logN: 16, r: 8, p: 2 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Upper bounds for parameters read back from storage, so a tampered row cannot make us burn memory. */
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Cost {
  logN: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, cost: Cost, keyBytes: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.logN,
    r: cost.r,
    p: cost.p,
    // Node's default maxmem (32 MiB) is below what these parameters need.
    maxmem: 256 * 2 ** cost.logN * cost.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    // NFKC like Better Auth's default, so "é" typed as one or two code points is the same password.
    scrypt(password.normalize('NFKC'), salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Hashes a password into `$scrypt$ln=16,r=8,p=2$<salt>$<key>` (unpadded base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT_COST, KEY_BYTES);
  const { logN, r, p } = SCRYPT_COST;
  return `$scrypt$ln=${logN},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Verifies against our format, or against Better Auth's default `salt:key` hex format (N=2^14, r=16)
 * so hashes written before this change, or by tools using the default, keep working.
 */
export async function verifyPassword({
  hash,
  password,
}: {
  hash: string;
  password: string;
}): Promise<boolean> {
  const match = PHC.exec(hash);
  if (!match) {
    if (/^[0-9a-f]+:[0-9a-f]+$/.test(hash)) return verifyBetterAuthDefault({ hash, password });
    return false;
  }
  const [, logN, r, p, salt, key] = match;
  const cost = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (
    cost.logN > MAX_LOG_N ||
    cost.r > MAX_R ||
    cost.p > MAX_P ||
    cost.logN < 1 ||
    cost.r < 1 ||
    cost.p < 1
  ) {
    return false;
  }
  const expected = Buffer.from(key ?? '', 'base64');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(salt ?? '', 'base64'), cost, expected.length);
  return timingSafeEqual(actual, expected);
}
