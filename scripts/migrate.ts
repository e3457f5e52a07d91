/** `npm run db:migrate`: applies the committed migrations in drizzle/ (npm start does this too). */
import { openDatabaseFromEnv } from '../server/db/open-from-env';
import { parseEnv } from '../server/env';

const env = parseEnv();
const database = await openDatabaseFromEnv(env);
try {
  await database.migrate();
  console.log(`Migrations applied (${database.kind}).`);
} finally {
  await database.close();
}
