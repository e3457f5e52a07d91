/** Where the tRPC API lives, relative to the server's base URL. */
export const TRPC_PATH = '/api/trpc';
/** The server refuses larger batches; clients batch at most this many calls. */
export const TRPC_MAX_BATCH = 20;
