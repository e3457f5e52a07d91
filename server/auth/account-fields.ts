/**
 * The account field limits of shared/auth.ts, enforced on the server for sign-up and profile
 * updates (Better Auth accepts any length): an email the JWT verifier would refuse (over 254
 * characters) or a name over NAME_MAX never reaches the database. The name is stored trimmed, as
 * the client sends it.
 */
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { z } from 'zod';
import { emailSchema, nameSchema } from '../../shared/auth';

const signUpFields = z.object({ name: nameSchema, email: emailSchema });
const updateFields = z.object({ name: nameSchema.optional() });

function invalid(error: z.ZodError): APIError {
  const issue = error.issues[0];
  const field = issue?.path[0] === 'email' ? 'EMAIL' : 'NAME';
  return new APIError('BAD_REQUEST', {
    code: `INVALID_${field}`,
    message: issue?.message ?? 'Invalid input',
  });
}

export function accountFieldsPlugin() {
  return {
    id: 'account-fields',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === '/sign-up/email' || ctx.path === '/update-user',
          handler: createAuthMiddleware(async (ctx) => {
            const body: unknown = ctx.body;
            // Not an object: Better Auth's own validation answers 400.
            if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
            const fields = (ctx.path === '/sign-up/email' ? signUpFields : updateFields).safeParse(body);
            if (!fields.success) throw invalid(fields.error);
            if (fields.data.name === undefined) return;
            return { context: { body: { ...body, name: fields.data.name } } };
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
