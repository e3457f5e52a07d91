/** Only same-site paths may be a post-sign-in destination (no `//evil.example`, no `https:`). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/sign-in') || next.startsWith('/sign-up')) return '/';
  return next;
}

/** `/sign-in`, remembering where to come back to unless that is simply the task list. */
export function signInPath(next: string): string {
  return next === '/' ? '/sign-in' : `/sign-in?${new URLSearchParams({ next }).toString()}`;
}

/** `/sign-up`, passing on where to come back to, like {@link signInPath}. */
export function signUpPath(next: string): string {
  return next === '/' ? '/sign-up' : `/sign-up?${new URLSearchParams({ next }).toString()}`;
}
