/** Whether a PostgreSQL server answers, for fault tests that skip (with a message) without one. */
import postgres from 'postgres';

/** Why `url` cannot be used, or undefined when it answers within 3 s. */
export async function postgresUnavailable(url: string): Promise<string | undefined> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(url).host} unreachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await probe.end({ timeout: 1 });
  }
}
