/**
 * Token verification against keys this test makes itself (RFC 8725): every way a token can be
 * wrong is refused, and a key source that fails says "unavailable", not "invalid".
 */
import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_TOLERANCE_SECONDS,
  createCachedKeySet,
  createJwtVerifier,
  MAX_TOKEN_BYTES,
  parseBearer,
  type VerifyToken,
} from './verify-jwt';

const ISSUER = 'https://tasks.example.com';
const TTL = 900;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

let signingKey: CryptoKey;
let publicJwk: JWK;
let otherKey: CryptoKey;
let jwks: JSONWebKeySet;
let verify: VerifyToken;

async function sign(
  payload: JWTPayload = {},
  header: Record<string, unknown> = {},
  key: CryptoKey = signingKey,
  alg = 'RS256',
) {
  return new SignJWT({
    sub: 'user-1',
    email: 'ann@example.com',
    sid: 'session-1',
    iss: ISSUER,
    aud: ISSUER,
    iat: now(),
    exp: now() + TTL,
    ...payload,
  })
    .setProtectedHeader({ alg, kid: 'key-1', ...header })
    .sign(key);
}

/** Our verifier's settings, over the given key set. */
const verifierWith = (keys: Parameters<typeof createJwtVerifier>[0]['keys']) =>
  createJwtVerifier({ keys, issuer: ISSUER, audience: ISSUER, algorithm: 'RS256', maxTokenAgeSeconds: TTL });

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256' };
  otherKey = (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
  jwks = { keys: [publicJwk] };
  verify = verifierWith(createCachedKeySet(async () => jwks));
});

describe('verifyToken', () => {
  it('accepts a valid token and returns the user', async () => {
    const issuedAt = now();
    expect(await verify(await sign({ iat: issuedAt, exp: issuedAt + TTL }))).toEqual({
      ok: true,
      user: {
        id: 'user-1',
        email: 'ann@example.com',
        scopes: ['tasks:read', 'tasks:write'],
        // What a long-lived stream re-checks (D33): its session, and when the token was issued and ends.
        token: { sid: 'session-1', iat: issuedAt, exp: issuedAt + TTL },
      },
    });
  });

  it("reads an API key token's scope claim, keeping only the scopes it names exactly", async () => {
    const scopesOf = async (scope: string) => {
      const result = await verify(await sign({ scope, sid: 'apikey:k1' }));
      return result.ok ? result.user.scopes : result.failure;
    };
    expect(await scopesOf('tasks:read')).toEqual(['tasks:read']);
    expect(await scopesOf('tasks:read tasks:write')).toEqual(['tasks:read', 'tasks:write']);
    expect(await scopesOf('tasks:write')).toEqual(['tasks:write']);
    expect(await scopesOf('')).toEqual([]);
    expect(await scopesOf('tasks:* admin tasks:readwrite')).toEqual([]);
    expect(await verify(await sign({ scope: 42 }))).toEqual({ ok: false, failure: 'bad-claims' });
  });

  it.each([
    ['expired', { exp: now() - CLOCK_TOLERANCE_SECONDS - 2 }, 'expired'],
    ['nbf in the future', { nbf: now() + CLOCK_TOLERANCE_SECONDS + 60 }, 'not-yet-valid'],
    ['iat far in the future', { iat: now() + 3600, exp: now() + 7200 }, 'bad-claims'],
    ['issued longer ago than the lifetime', { iat: now() - TTL - CLOCK_TOLERANCE_SECONDS - 60 }, 'expired'],
    ['wrong issuer', { iss: 'https://evil.example.com' }, 'bad-claims'],
    ['wrong audience', { aud: 'https://other-service.example.com' }, 'bad-claims'],
    ['no sub', { sub: undefined }, 'bad-claims'],
    ['no exp', { exp: undefined }, 'bad-claims'],
    ['no email', { email: undefined }, 'bad-claims'],
    ['no session id', { sid: undefined }, 'bad-claims'],
  ])('refuses a token with %s', async (_, claims, failure) => {
    expect(await verify(await sign(claims))).toEqual({ ok: false, failure });
  });

  it('accepts expiry and nbf within the clock tolerance, and refuses them just past it', async () => {
    const t = CLOCK_TOLERANCE_SECONDS;
    expect((await verify(await sign({ exp: now() - t + 2 }))).ok).toBe(true);
    expect((await verify(await sign({ nbf: now() + t - 2 }))).ok).toBe(true);
    expect(await verify(await sign({ exp: now() - t - 2 }))).toEqual({ ok: false, failure: 'expired' });
    expect(await verify(await sign({ nbf: now() + t + 2 }))).toEqual({ ok: false, failure: 'not-yet-valid' });
  });

  it('refuses alg "none"', async () => {
    const [, payload] = (await sign()).split('.');
    const none = `${b64({ alg: 'none', kid: 'key-1' })}.${payload}.`;
    expect((await verify(none)).ok).toBe(false);
    expect((await verify(`${b64({ alg: 'none', kid: 'key-1' })}.${payload}.${'A'.repeat(10)}`)).ok).toBe(
      false,
    );
  });

  it('refuses HS256 keyed with the public key (algorithm confusion)', async () => {
    const header = b64({ alg: 'HS256', kid: 'key-1' });
    const payload = b64({
      sub: 'user-1',
      email: 'a@b.c',
      iss: ISSUER,
      aud: ISSUER,
      iat: now(),
      exp: now() + 60,
    });
    for (const secret of [JSON.stringify(publicJwk), publicJwk.n ?? '']) {
      const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      expect(await verify(`${header}.${payload}.${mac}`)).toEqual({ ok: false, failure: 'bad-algorithm' });
    }
  });

  it('refuses an ES256 or EdDSA token even when it carries our kid', async () => {
    const es = (await generateKeyPair('ES256')).privateKey;
    const ed = (await generateKeyPair('EdDSA')).privateKey;
    expect(await verify(await sign({}, {}, es, 'ES256'))).toEqual({ ok: false, failure: 'bad-algorithm' });
    expect(await verify(await sign({}, {}, ed, 'EdDSA'))).toEqual({ ok: false, failure: 'bad-algorithm' });
  });

  it('refuses an unknown kid, and our kid signed by another key', async () => {
    expect(await verify(await sign({}, { kid: 'key-2' }))).toEqual({ ok: false, failure: 'unknown-key' });
    expect(await verify(await sign({}, {}, otherKey))).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it.each([
    ['a huge kid', { kid: 'k'.repeat(4000) }],
    ['a path-like kid', { kid: '../../etc/passwd' }],
    ['a numeric kid', { kid: 42 }],
    ['an object kid', { kid: { $ne: null } }],
  ])('refuses %s even when our real key signed the token', async (_, header) => {
    // Signed by the right key: only the kid itself can make this fail.
    const result = await verify(await sign({}, header));
    expect(result.ok).toBe(false);
  });

  it('ignores jku, x5u and jwk headers that point at an attacker key', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'key-1' };
    for (const header of [
      { jku: 'https://evil.example.com/jwks.json' },
      { x5u: 'https://evil.example.com/cert.pem' },
      { jwk: attackerJwk },
    ]) {
      expect(await verify(await sign({}, header, attacker.privateKey))).toEqual({
        ok: false,
        failure: 'bad-signature',
      });
    }
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign()).split('.');
    const forged = b64({
      sub: 'admin',
      email: 'a@b.c',
      iss: ISSUER,
      aud: ISSUER,
      iat: now(),
      exp: now() + 60,
    });
    expect(await verify(`${header}.${forged}.${signature}`)).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a token'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['five parts (JWE)', 'a.b.c.d.e'],
    ['JSON serialization', '{"payload":"x","signatures":[]}'],
    ['bad base64', 'eyJhbGciOiJSUzI1NiJ9.%%%.sig'],
    ['header that is not JSON', `${Buffer.from('nope').toString('base64url')}.e30.sig`],
  ])('refuses a malformed token: %s', async (_, token) => {
    expect(await verify(token)).toEqual({ ok: false, failure: 'malformed' });
  });

  it('refuses a truncated token', async () => {
    const token = await sign();
    expect((await verify(token.slice(0, -10))).ok).toBe(false);
  });

  it(`refuses a token over ${MAX_TOKEN_BYTES} bytes before parsing it`, async () => {
    const token = await sign({ padding: 'x'.repeat(MAX_TOKEN_BYTES) });
    expect(await verify(token)).toEqual({ ok: false, failure: 'too-large' });
  });
});

describe('verification cache', () => {
  const cachedVerifier = (opts: Partial<Parameters<typeof createJwtVerifier>[0]> = {}) =>
    createJwtVerifier({
      keys: createCachedKeySet(async () => jwks),
      issuer: ISSUER,
      audience: ISSUER,
      algorithm: 'RS256',
      maxTokenAgeSeconds: TTL,
      ...opts,
    });

  it('still consults revocation on every request for a token it remembers', async () => {
    const revoked = new Set<string>();
    const verifyCached = cachedVerifier({ isRevoked: (claims) => revoked.has(claims.sid) });
    const token = await sign();
    expect((await verifyCached(token)).ok).toBe(true);
    expect(verifyCached.cachedCount()).toBe(1);
    revoked.add('session-1');
    expect(await verifyCached(token)).toEqual({ ok: false, failure: 'revoked' });
    revoked.delete('session-1');
    expect((await verifyCached(token)).ok).toBe(true);
  });

  it('forgets a token at its expiry, so a remembered token cannot outlive exp', async () => {
    let clock = Date.now();
    const verifyCached = cachedVerifier({ now: () => clock });
    const token = await sign({ exp: now() + 60 });
    expect((await verifyCached(token)).ok).toBe(true);
    clock += (60 + CLOCK_TOLERANCE_SECONDS + 5) * 1000;
    expect(await verifyCached(token)).toEqual({ ok: false, failure: 'expired' });
    expect(verifyCached.cachedCount()).toBe(0);
  });

  it('remembers only the exact token: a tampered copy of a remembered token is refused', async () => {
    const verifyCached = cachedVerifier();
    const token = await sign();
    await verifyCached(token);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    expect((await verifyCached(`${header}.${payload}.${flipped}`)).ok).toBe(false);
    expect((await verifyCached(`${token} `)).ok).toBe(false);
  });

  it('never remembers a failure, and stays within its bound', async () => {
    const verifyCached = cachedVerifier({ cacheSize: 3 });
    for (let i = 0; i < 20; i++) {
      await verifyCached(await sign({}, {}, otherKey));
      await verifyCached(`garbage.${i}.token`);
    }
    expect(verifyCached.cachedCount()).toBe(0);
    for (let i = 0; i < 5; i++) expect((await verifyCached(await sign({ sub: `user-${i}` }))).ok).toBe(true);
    expect(verifyCached.cachedCount()).toBe(3);
  });

  it('forgets a token once its keys are invalidated, so a removed key stops verifying at once', async () => {
    let served: JSONWebKeySet = jwks;
    const keys = createCachedKeySet(async () => served);
    const verifyCached = cachedVerifier({ keys });
    const token = await sign();
    expect((await verifyCached(token)).ok).toBe(true);
    expect((await verifyCached(token)).ok).toBe(true);
    served = { keys: [] };
    keys.invalidate();
    expect(await verifyCached(token)).toEqual({ ok: false, failure: 'unknown-key' });
  });
});

describe('createCachedKeySet', () => {
  it('reloads on an unknown kid (rotation), at most once per cool-down', async () => {
    const next = await generateKeyPair('RS256', { extractable: true });
    const nextJwk = { ...(await exportJWK(next.publicKey)), kid: 'key-2', alg: 'RS256' };
    let served: JSONWebKeySet = { keys: [publicJwk] };
    let loads = 0;
    let clock = 0;
    const keys = createCachedKeySet(
      async () => {
        loads++;
        return served;
      },
      { cooldownMs: 30_000, now: () => clock },
    );
    const v = verifierWith(keys);
    const newToken = await sign({}, { kid: 'key-2' }, next.privateKey);

    expect((await v(await sign())).ok).toBe(true);
    expect(loads).toBe(1);
    clock = 40_000;
    expect(await v(newToken)).toEqual({ ok: false, failure: 'unknown-key' }); // not published yet
    expect(loads).toBe(2);
    served = { keys: [publicJwk, nextJwk] };
    clock = 50_000; // within the cool-down: no reload, a flood of bad kids cannot hammer the source
    expect((await v(newToken)).ok).toBe(false);
    expect(loads).toBe(2);
    clock = 80_000;
    expect((await v(newToken)).ok).toBe(true);
    expect(loads).toBe(3);
  });

  it('drops a removed key once the cached copy is older than maxAge', async () => {
    let served: JSONWebKeySet = { keys: [publicJwk] };
    let clock = 0;
    const keys = createCachedKeySet(async () => served, { maxAgeMs: 60_000, now: () => clock });
    const v = verifierWith(keys);
    const token = await sign();
    expect((await v(token)).ok).toBe(true);
    served = { keys: [] };
    clock = 61_000;
    expect(await v(token)).toEqual({ ok: false, failure: 'unknown-key' });
  });

  it('reports a failing key source as unavailable, not as a bad token', async () => {
    const keys = createCachedKeySet(async () => {
      throw new Error('connection refused');
    });
    const v = verifierWith(keys);
    expect(await v(await sign())).toEqual({ ok: false, failure: 'keys-unavailable' });
  });

  it('shares one load between concurrent first requests', async () => {
    let loads = 0;
    const keys = createCachedKeySet(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return jwks;
    });
    const v = verifierWith(keys);
    const token = await sign();
    const results = await Promise.all(Array.from({ length: 10 }, () => v(token)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(loads).toBe(1);
  });
});

describe('parseBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER abc.def.ghi', 'abc.def.ghi'],
    ['Bearer  abc.def.ghi ', 'abc.def.ghi'],
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['abc.def.ghi', undefined],
    ['Bearer a, Bearer b', undefined],
    ['Bearer a b', undefined],
    ['Token abc.def.ghi', undefined],
  ])('%j -> %j', (header, token) => {
    expect(parseBearer(header)).toBe(token);
  });
});
