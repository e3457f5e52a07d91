/**
 * The signed-in state and the API token, held in memory only (never Web Storage): the
 * session cookie (httpOnly, set by Better Auth) proves who we are; the short-lived JWT
 * derived from it is what the task API accepts.
 */

export type SessionSnapshot =
  | { status: 'loading' }
  /** The server could not be reached while finding out whether we are signed in. */
  | { status: 'unavailable' }
  | { status: 'signed-out'; ended: boolean }
  /**
   * `fromDevice`: not confirmed by the server yet. The page opened offline and shows the list this
   * person chose to keep on the device (D38); no token is held until the server answers.
   */
  | { status: 'signed-in'; userId: string; email: string; fromDevice?: true };

/** Returns a JWT, `null` when there is no session (401), and throws when the server is unreachable. */
type FetchToken = () => Promise<string | null>;

interface SessionOptions {
  fetchToken: FetchToken;
  /** Finds out at page load whether there is a session (defaults to `fetchToken`). */
  probeToken?: FetchToken;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface HeldToken {
  token: string;
  userId: string;
  email: string;
  /** Local clock times (ms), so a skewed device clock does not matter. */
  receivedAt: number;
  lifetimeMs: number;
}

/** Renew when this share of the lifetime has passed (in the background, on a timer). */
const RENEW_AT = 0.7;
/** Past this share, a request waits for a fresh token instead of sending an old one. */
const STALE_AT = 0.9;
/** On tab focus, renew if more than this share has passed (timers sleep in background tabs). */
const FOCUS_RENEW_AT = 0.5;
const RETRY_AFTER_NETWORK_ERROR_MS = 5_000;

interface Claims {
  sub?: unknown;
  email?: unknown;
  exp?: unknown;
  iat?: unknown;
}

/** Reads (does not verify: the server does) the claims the client needs from a JWT. */
export function readClaims(token: string): { userId: string; email: string; lifetimeMs: number } {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('Malformed token');
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as Claims;
  if (typeof claims.sub !== 'string') throw new Error('Token has no subject');
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  const iat = typeof claims.iat === 'number' ? claims.iat : 0;
  const lifetimeMs = exp > iat && iat > 0 ? (exp - iat) * 1000 : 60_000;
  return { userId: claims.sub, email: typeof claims.email === 'string' ? claims.email : '', lifetimeMs };
}

export function createSession(options: SessionOptions) {
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  let snapshot: SessionSnapshot = { status: 'loading' };
  let held: HeldToken | null = null;
  let inflight: Promise<string | null> | null = null;
  let timer: unknown = null;
  /** Bumped by sign-out so that a renewal already in flight cannot sign us back in. */
  let generation = 0;
  const listeners = new Set<() => void>();

  const publish = (next: SessionSnapshot) => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const schedule = (ms: number) => {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(
      () => {
        timer = null;
        void renew().catch(() => undefined);
      },
      Math.max(ms, 1_000),
    );
  };

  const cancelTimer = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };

  const age = (t: HeldToken) => (now() - t.receivedAt) / t.lifetimeMs;

  function accept(token: string): string {
    const claims = readClaims(token);
    held = { token, ...claims, receivedAt: now() };
    schedule(claims.lifetimeMs * RENEW_AT);
    if (
      snapshot.status !== 'signed-in' ||
      snapshot.fromDevice ||
      snapshot.userId !== claims.userId ||
      snapshot.email !== claims.email
    ) {
      publish({ status: 'signed-in', userId: claims.userId, email: claims.email });
    }
    return token;
  }

  function end(ended: boolean) {
    held = null;
    cancelTimer();
    if (snapshot.status !== 'signed-out' || snapshot.ended !== ended)
      publish({ status: 'signed-out', ended });
  }

  /** Fetches a fresh token now (one request at a time, however many callers ask). */
  function renew(fetchToken: FetchToken = options.fetchToken): Promise<string | null> {
    if (inflight) return inflight;
    const started = generation;
    const request = (async () => {
      try {
        const token = await fetchToken();
        if (started !== generation) return null;
        if (token) return accept(token);
        // No session: if we thought we had one, it has ended (expired, signed out elsewhere).
        end(snapshot.status === 'signed-in');
        return null;
      } catch (error) {
        if (started !== generation) return null;
        if (snapshot.status === 'loading') publish({ status: 'unavailable' });
        // Keep working with the token we hold while it lasts; try again soon.
        if (snapshot.status === 'signed-in') schedule(RETRY_AFTER_NETWORK_ERROR_MS);
        if (held && age(held) < 1) return held.token;
        throw error;
      } finally {
        inflight = null;
      }
    })();
    inflight = request;
    return request;
  }

  return {
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: (): SessionSnapshot => snapshot,

    /**
     * The server cannot be reached, and this device keeps the list of the person last signed in
     * (D38): show it as theirs until the server says who is signed in. Only from "unavailable":
     * it never replaces an answer the server gave.
     */
    restoreFromDevice(user: { userId: string; email: string }) {
      if (snapshot.status !== 'unavailable') return;
      publish({ status: 'signed-in', userId: user.userId, email: user.email, fromDevice: true });
    },

    /** Finds out whether the browser has a session (page load, or retry after "unavailable"). */
    start(): Promise<string | null> {
      if (snapshot.status === 'unavailable') publish({ status: 'loading' });
      return renew(options.probeToken);
    },

    /** A token for the next request: the held one while fresh, otherwise a renewed one. */
    async getToken(): Promise<string | null> {
      if (held && age(held) < STALE_AT) return held.token;
      if (snapshot.status === 'signed-out') return null;
      return renew();
    },

    /** Fetches a fresh token now (e.g. right after signing in). */
    renew: (): Promise<string | null> => renew(),

    /** The API refused the token we sent: drop it so the next request fetches a new one. */
    invalidate(token?: string) {
      if (held && (token === undefined || held.token === token)) held = null;
    },

    /** The tab is visible again: timers may have slept, so renew if the token is getting old. */
    onFocus() {
      if (snapshot.status !== 'signed-in') return;
      if (!held || age(held) >= FOCUS_RENEW_AT) void renew().catch(() => undefined);
    },

    /** Forgets the token and the user (after sign-out, or when the server says the session is gone). */
    clear(ended = false) {
      generation += 1;
      inflight = null;
      end(ended);
    },

    /** Stops the renewal timer (tests, unmount). */
    dispose() {
      cancelTimer();
      listeners.clear();
    },
  };
}
