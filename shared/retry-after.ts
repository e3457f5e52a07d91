/**
 * What the web client tells a person who hit a limit. Both limits on the auth endpoints (per
 * address and per account) answer 429 with `Retry-After` in seconds (and `X-Retry-After`, which is
 * what Better Auth's own client reads).
 */
export function retryAfterSeconds(headers: Pick<Headers, 'get'>): number | null {
  for (const name of ['retry-after', 'x-retry-after']) {
    const value = headers.get(name);
    if (value !== null && /^\d{1,6}$/.test(value.trim())) return Number(value.trim());
  }
  return null;
}

/** "Too many attempts. Try again in 2 minutes." */
export function retryAfterMessage(seconds: number | null): string {
  if (seconds === null) return 'Too many attempts. Try again later.';
  if (seconds < 60) return `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
