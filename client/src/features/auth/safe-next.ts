/** Control characters (the URL parser strips tab and newlines), DEL, and backslashes (read as `/`). */
const hasUnsafeCharacter = (value: string): boolean =>
  [...value].some((c) => c <= '\u001f' || c === '\u007f' || c === '\\');

/**
 * Only same-origin paths may be a post-sign-in destination (no `//evil.example`, no `https:`,
 * no `/%09/evil.example`): the value is resolved the way the browser will resolve it and must stay
 * on `origin`. Returns the resolved path, so what is navigated to is what was checked.
 */
export function safeNext(next: string | null | undefined, origin = window.location.origin): string {
  if (!next || !next.startsWith('/') || hasUnsafeCharacter(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path such as `//evil.example` would be read as a host by whoever resolves it next.
  if (path.startsWith('//')) return '/';
  if (url.pathname.startsWith('/sign-in') || url.pathname.startsWith('/sign-up')) return '/';
  return path;
}

/** `/sign-in`, remembering where to come back to unless that is simply the task list. */
export function signInPath(next: string): string {
  return next === '/' ? '/sign-in' : `/sign-in?${new URLSearchParams({ next }).toString()}`;
}

/** `/sign-up`, passing on where to come back to, like {@link signInPath}. */
export function signUpPath(next: string): string {
  return next === '/' ? '/sign-up' : `/sign-up?${new URLSearchParams({ next }).toString()}`;
}
