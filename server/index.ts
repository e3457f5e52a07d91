/** `npm start`: parse the environment, open and migrate the database, serve. */
import { fileURLToPath } from 'node:url';
import { resolveAuthSecret } from './auth/secret';
import { openDatabaseFromEnv } from './db/open-from-env';
import { EnvError, parseEnv } from './env';
import { startServer } from './http/start-server';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = createLogger(env.LOG_LEVEL);
  const database = await openDatabaseFromEnv(env);
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
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await running.close().catch((err: unknown) => log.error({ err }, 'error while closing the server'));
    await database.close();
    process.exit(0);
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
