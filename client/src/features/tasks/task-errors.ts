import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../../server/trpc/router';

type Refusal =
  | 'conflict'
  | 'not-found'
  | 'forbidden'
  | 'invalid'
  | 'rate-limited'
  | 'unauthorized'
  | 'unavailable'
  | 'unreachable'
  | 'failed';

/** Sorts a failed call into what the person should be told. */
export function classify(error: unknown): Refusal {
  if (!(error instanceof TRPCClientError)) return 'unreachable';
  const { data } = error as TRPCClientError<AppRouter>;
  switch (data?.code) {
    case 'CONFLICT':
      return 'conflict';
    case 'NOT_FOUND':
      return 'not-found';
    case 'FORBIDDEN':
      return 'forbidden';
    case 'BAD_REQUEST':
      return 'invalid';
    case 'TOO_MANY_REQUESTS':
      return 'rate-limited';
    case 'UNAUTHORIZED':
      return 'unauthorized';
    case 'SERVICE_UNAVAILABLE':
      return 'unavailable';
    case undefined:
      // An answer that is not tRPC's (a proxy's page, an origin check) is still an answer.
      return error.meta?.['response'] instanceof Response ? 'failed' : 'unreachable';
    default:
      return 'failed';
  }
}

/**
 * The raw refusal, for developers (the person sees a sentence): tRPC code and HTTP status, or the
 * kind of failure. Never the input, so no title or token reaches the console.
 */
export function logRefusal(error: unknown, action: string): void {
  const detail =
    error instanceof TRPCClientError
      ? ((error as TRPCClientError<AppRouter>).data?.code ?? `no tRPC code: ${error.message}`)
      : error instanceof Error
        ? error.name
        : 'unknown';
  console.warn(`[tasks] ${action} refused: ${detail}`);
}

/** The server's own words for a validation refusal (they are written for people). */
const validationMessage = (error: unknown): string =>
  error instanceof TRPCClientError ? error.message : 'The change was not valid.';

/** Short, quoted title for messages; long titles are cut. */
export const quote = (title: string): string => `“${title.length > 60 ? `${title.slice(0, 57)}…` : title}”`;

/** The sentence to show when a change was refused and undone. */
export function refusalMessage(refusal: Refusal, action: string, title: string, error: unknown): string {
  const what = quote(title);
  switch (refusal) {
    case 'invalid':
      return `Couldn’t ${action} ${what}: ${validationMessage(error)}`;
    case 'rate-limited':
      return `Too many changes at once, so ${what} wasn’t saved. Wait a moment and try again.`;
    case 'unavailable':
      return `The server is too busy to ${action} ${what} right now. Your change was undone; try again in a moment.`;
    case 'unreachable':
      return `Couldn’t ${action} ${what}: the server didn’t respond. Check your connection; your change was undone, so try again.`;
    default:
      return `Couldn’t ${action} ${what}. Your change was undone; please try again.`;
  }
}
