import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './server/db/auth-schema.ts',
    './server/db/security-schema.ts',
    './server/db/task-schema.ts',
    './server/db/revocation-schema.ts',
    './server/db/api-key-schema.ts',
    './server/db/task-event-schema.ts',
  ],
  out: './drizzle',
  // Only used by `drizzle-kit studio`/`push`; the app applies migrations itself.
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  strict: true,
});
