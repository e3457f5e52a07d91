/**
 * `npm run db:seed`: a demo account with a few tasks, for trying the app locally.
 * Refuses to run in production: the demo password is public.
 */
import { createAuthForScript } from '../server/auth/auth-for-scripts';
import { openDatabaseFromEnv } from '../server/db/open-from-env';
import { createTaskQueries } from '../server/db/task-queries';
import { parseEnv } from '../server/env';
import { createLogger } from '../server/logger';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password-1234';

const env = parseEnv();
if (env.NODE_ENV === 'production') {
  console.error('db:seed creates an account with a public password; it does not run in production.');
  process.exit(1);
}
const log = createLogger(env.LOG_LEVEL);
const database = await openDatabaseFromEnv(env);
try {
  await database.migrate();
  const auth = await createAuthForScript(env, database, log);
  const context = await auth.$context;
  if (await context.internalAdapter.findUserByEmail(DEMO_EMAIL)) {
    console.log(`${DEMO_EMAIL} already exists; nothing to do.`);
  } else {
    const { user } = await auth.api.signUpEmail({
      body: { name: 'Demo', email: DEMO_EMAIL, password: DEMO_PASSWORD },
    });
    const tasks = createTaskQueries(database, { role: database.appRole });
    for (const title of ['Try the filters', 'Edit me: double-click or press Enter', 'Mark me done']) {
      await tasks.create(user.id, title, null);
    }
    console.log(`Created ${DEMO_EMAIL} with 3 tasks (password: see scripts/seed.ts).`);
  }
} finally {
  await database.close();
}
