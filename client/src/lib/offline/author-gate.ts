/**
 * A change is sent only under the token of the person who made it (D38). TanStack resumes paused
 * changes as soon as the browser is online again, before anyone asked the server who is signed in
 * now; after an offline reload that shows a kept list, or a sign-in elsewhere in the browser, that
 * can be someone else (or nobody). The gate asks for a token first (from the server when none is
 * held) and lets the change go only if the session then names its author.
 */
import type { TRPCLink } from '@trpc/client';
import { TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { createSession } from '../session';

/** Said as UNAUTHORIZED, so the lists treat it as an ended session: no message quoting the change. */
const notTheAuthor = () =>
  new TRPCClientError<AnyTRPCRouter>('This change was made by another account; it was not sent.', {
    result: {
      error: {
        code: -32001,
        message: 'This change was made by another account; it was not sent.',
        data: { code: 'UNAUTHORIZED', httpStatus: 401 },
      },
    },
  });

/** Like a lost connection: TanStack pauses the change again while the browser says offline. */
const unreachable = () => TRPCClientError.from<AnyTRPCRouter>(new TypeError('Failed to fetch'));

export function createAuthorGate(session: ReturnType<typeof createSession>) {
  /** The variables of each change made in this tab, and who was signed in when it was made. */
  const authors = new WeakMap<object, string>();

  return {
    /** Notes the author of a change as it is made (MutationCache `onMutate`). */
    stamp(variables: unknown): void {
      const now = session.getSnapshot();
      if (typeof variables === 'object' && variables !== null && now.status === 'signed-in') {
        authors.set(variables, now.userId);
      }
    },

    /** First in the chain: holds a change until the session is known to be its author's. */
    link(): TRPCLink<AnyTRPCRouter> {
      return () =>
        ({ op, next }) => {
          if (op.type !== 'mutation') return next(op);
          const stamped =
            typeof op.input === 'object' && op.input !== null ? authors.get(op.input) : undefined;
          const replayFor = op.context['replayFor'];
          const current = session.getSnapshot();
          // A change without input (clear completed) is the signed-in person's as it is sent;
          // a switch of person drops such changes from the cache first (create-services.ts).
          const author =
            stamped ??
            (typeof replayFor === 'string' ? replayFor : undefined) ??
            (current.status === 'signed-in' ? current.userId : undefined);
          if (author === undefined) return next(op);
          return observable((observer) => {
            let stopped = false;
            let inner: { unsubscribe: () => void } | null = null;
            session.getToken().then(
              (token) => {
                if (stopped) return;
                const now = session.getSnapshot();
                if (!token || now.status !== 'signed-in' || now.fromDevice || now.userId !== author) {
                  observer.error(notTheAuthor());
                  return;
                }
                // The HTTP link checks the token it sends against this once more (`onSend`).
                inner = next({ ...op, context: { ...op.context, author } }).subscribe(observer);
              },
              () => {
                if (!stopped) observer.error(unreachable());
              },
            );
            return () => {
              stopped = true;
              inner?.unsubscribe();
            };
          });
        };
    },
  };
}
