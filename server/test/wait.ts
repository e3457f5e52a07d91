/**
 * Bounded polling for effects that cross processes (NOTIFY, cache reloads): no fixed sleeps, so a
 * test waits only as long as the effect takes and fails clearly when it never comes.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  {
    timeoutMs = 5_000,
    intervalMs = 10,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await condition()) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
