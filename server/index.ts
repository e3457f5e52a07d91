/** `npm start`: parse the environment, open and migrate the database, serve. */
import { fileURLToPath } from 'node:url';
import { resolveAuthSecret } from './auth/secret';
import { openDatabaseFromEnv } from './db/open-from-env';
import { waitForDatabase } from './db/wait-for-database';
import { EnvError, parseEnv } from './env';
import { startServer } from './http/start-server';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = createLogger(env.LOG_LEVEL);
  const database = await openDatabaseFromEnv(env);
  await waitForDatabase(database, { timeoutMs: env.DATABASE_WAIT_TIMEOUT_MS, log });
  await database.migrate();
  const secret = await resolveAuthSecret(env, log);
  const running = await startServer({
    env,
    database,
    secret,
    log,
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
  });
  log.info(
    { url: running.url, baseURL: running.baseURL, database: database.kind },
    `Tasks is running at ${running.baseURL}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal (Ctrl-C twice) means "now": requests still in flight are cut.
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutting down: draining requests in flight');
    let code = 0;
    try {
      const { forced, durationMs } = await running.close();
      if (forced > 0) log.warn({ forced, durationMs }, 'shutdown deadline reached: connections cut');
      else log.info({ durationMs }, 'requests drained');
    } catch (err: unknown) {
      log.error({ err }, 'error while closing the server');
      code = 1;
    }
    await database.close().catch((err: unknown) => {
      log.error({ err }, 'error while closing the database');
      code = 1;
    });
    log.info({ code }, 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof EnvError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
