import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createSession } from './session';

const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '');
const jwt = (sub: string, ttl: number) => {
  const iat = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'RS256' })}.${b64url({ sub, email: `${sub}@example.com`, iat, exp: iat + ttl })}.sig`;
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('session (in-memory token)', () => {
  test('renews ahead of expiry on a timer, for as long as the session lasts', async () => {
    const fetchToken = vi.fn(async () => jwt('u1', 10));
    const session = createSession({ fetchToken });
    await session.start();
    expect(session.getSnapshot()).toEqual({ status: 'signed-in', userId: 'u1', email: 'u1@example.com' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(6_900);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(200); // 70% of 10 s
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchToken.mock.calls.length).toBeGreaterThanOrEqual(9);
    session.dispose();
  });

  test('one request however many callers need a token at once', async () => {
    const fetchToken = vi.fn(async () => jwt('u1', 60));
    const session = createSession({ fetchToken });
    const tokens = await Promise.all([session.getToken(), session.getToken(), session.renew()]);
    expect(new Set(tokens).size).toBe(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    // Fresh: served from memory.
    await session.getToken();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    session.dispose();
  });

  test('a refused token is dropped and the next request fetches a new one', async () => {
    const fetchToken = vi.fn(async () => jwt('u1', 60));
    const session = createSession({ fetchToken });
    const first = await session.getToken();
    session.invalidate(first ?? undefined);
    await session.getToken();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    session.dispose();
  });

  test('no session any more: signed out, marked as ended', async () => {
    let alive = true;
    const session = createSession({ fetchToken: async () => (alive ? jwt('u1', 10) : null) });
    await session.start();
    alive = false;
    await vi.advanceTimersByTimeAsync(7_500);
    expect(session.getSnapshot()).toEqual({ status: 'signed-out', ended: true });
    expect(await session.getToken()).toBeNull();
    session.dispose();
  });

  test('a network failure keeps the current token while it lasts and retries', async () => {
    let fail = false;
    const fetchToken = vi.fn(async () => {
      if (fail) throw new Error('offline');
      return jwt('u1', 10);
    });
    const session = createSession({ fetchToken });
    const token = await session.start();
    fail = true;
    await vi.advanceTimersByTimeAsync(7_100);
    expect(session.getSnapshot().status).toBe('signed-in');
    expect(await session.renew()).toBe(token);
    fail = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fetchToken.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(session.getSnapshot().status).toBe('signed-in');
    session.dispose();
  });

  test('the server unreachable at start is reported, not mistaken for signed out', async () => {
    const session = createSession({
      fetchToken: async () => {
        throw new Error('offline');
      },
    });
    await expect(session.start()).rejects.toThrow('offline');
    expect(session.getSnapshot()).toEqual({ status: 'unavailable' });
    session.dispose();
  });

  test('a list kept on the device stands in only while the server is unreachable; the server’s answer replaces it', async () => {
    let answer: 'down' | 'u1' | 'u2' | 'none' = 'down';
    const session = createSession({
      fetchToken: async () => {
        if (answer === 'down') throw new Error('Could not reach the server');
        return answer === 'none' ? null : jwt(answer, 60);
      },
    });
    session.restoreFromDevice({ userId: 'u1', email: 'u1@example.com' });
    expect(session.getSnapshot().status).toBe('loading'); // not before the server was asked
    await expect(session.start()).rejects.toThrow();
    session.restoreFromDevice({ userId: 'u1', email: 'u1@example.com' });
    expect(session.getSnapshot()).toEqual({
      status: 'signed-in',
      userId: 'u1',
      email: 'u1@example.com',
      fromDevice: true,
    });
    // No token is held for it: a request asks the server, and its answer decides.
    answer = 'u2';
    await session.getToken();
    expect(session.getSnapshot()).toEqual({ status: 'signed-in', userId: 'u2', email: 'u2@example.com' });
    session.restoreFromDevice({ userId: 'u1', email: 'u1@example.com' });
    expect(session.getSnapshot()).toMatchObject({ userId: 'u2' });
    session.dispose();

    const ended = createSession({ fetchToken: async () => (answer === 'none' ? null : jwt('u1', 60)) });
    answer = 'down';
    await ended.start().catch(() => undefined);
    ended.restoreFromDevice({ userId: 'u1', email: 'u1@example.com' });
    answer = 'none';
    await ended.start();
    expect(ended.getSnapshot()).toEqual({ status: 'signed-out', ended: true });
    ended.dispose();
  });

  test('sign-out wins over a renewal already in flight', async () => {
    let resolve: (token: string) => void = () => {};
    const session = createSession({ fetchToken: () => new Promise((r) => (resolve = r)) });
    const pending = session.start();
    session.clear();
    resolve(jwt('u1', 60));
    expect(await pending).toBeNull();
    expect(session.getSnapshot()).toEqual({ status: 'signed-out', ended: false });
    session.dispose();
  });

  test('on focus, renews a token past half its life (timers sleep in background tabs)', async () => {
    const fetchToken = vi.fn(async () => jwt('u1', 100));
    const session = createSession({ fetchToken, setTimer: () => 0, clearTimer: () => {} });
    await session.start();
    vi.setSystemTime(Date.now() + 30_000);
    session.onFocus();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + 30_000);
    session.onFocus();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    session.dispose();
  });
});
