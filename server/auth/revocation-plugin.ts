/**
 * Where Better Auth meets the revocation store (revocation.ts): a plugin whose database hooks
 * revoke tokens whenever a session or a password ends, and a JWT key store that announces new keys.
 */
import type { BetterAuthPlugin } from 'better-auth';
import type { Jwk, JwtOptions } from 'better-auth/plugins/jwt';
import type { TokenRevocations } from './revocation';

/** Better Auth endpoints that change a password while the user is signed in. */
const PASSWORD_CHANGE_PATHS = new Set(['/change-password', '/set-password']);

/**
 * Hooks revocation into Better Auth at the database layer, so every way a session ends (sign-out,
 * revoke-session(s), revoke-other-sessions, change-password with revokeOtherSessions, user
 * deletion, the admin plugin) is covered by one hook rather than a list of endpoint paths.
 */
export function tokenRevocationPlugin(revocations: TokenRevocations) {
  return {
    id: 'token-revocation',
    init() {
      return {
        options: {
          databaseHooks: {
            session: {
              delete: {
                // Before, not after: if the revocation cannot be recorded the session survives
                // and sign-out fails visibly, rather than "succeeding" with live tokens.
                before: async (session) => {
                  await revocations.revokeSession(session);
                },
              },
            },
            account: {
              update: {
                after: async (account, context) => {
                  // Better Auth passes a row count here for bulk updates; only a row names its user.
                  if (!context?.path || !PASSWORD_CHANGE_PATHS.has(context.path)) return;
                  if (typeof account !== 'object' || typeof account.userId !== 'string') return;
                  await revocations.revokeUser(account.userId, { settle: true });
                },
              },
            },
            user: {
              delete: {
                after: async (user) => {
                  await revocations.revokeUser(user.id);
                },
              },
            },
          },
        },
      };
    },
  } satisfies BetterAuthPlugin;
}

/**
 * The JWT plugin's key store, unchanged except that a newly minted key (scheduled rotation) is
 * announced, so other instances publish it before a token signed with it reaches them.
 */
export function announcingJwkStore(revocations: TokenRevocations): NonNullable<JwtOptions['adapter']> {
  return {
    async createJwk(data, ctx) {
      const created = await ctx.context.adapter.create<Omit<Jwk, 'id'>, Jwk>({
        model: 'jwks',
        data: { ...data, createdAt: new Date() },
      });
      await revocations.announceKeyChange();
      return created;
    },
  };
}
