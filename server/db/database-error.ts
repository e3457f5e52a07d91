/**
 * What a PostgreSQL (or PGlite) error says that is safe to act on and to log. Its message, detail
 * and the failed query's parameters are left out on purpose: they quote the values (emails, titles,
 * ids) that the statement carried.
 */
export interface DatabaseErrorInfo {
  /** The SQLSTATE, e.g. `23503` (foreign key violation), `22008` (datetime out of range). */
  code: string;
  constraint?: string | undefined;
  table?: string | undefined;
  column?: string | undefined;
  /** The PostgreSQL C function that raised it, e.g. `DateTimeParseError`. */
  routine?: string | undefined;
}

/** The first database error in `error`'s cause chain (drizzle wraps the driver's error), if any. */
export function findDatabaseError(error: unknown): DatabaseErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++, current = current.cause) {
    const fields = current as Error & Record<string, unknown>;
    const text = (...names: string[]) => {
      for (const name of names) {
        const value = fields[name];
        if (typeof value === 'string' && value !== '') return value;
      }
      return undefined;
    };
    // Both drivers set `severity` beside the SQLSTATE; Node's own errors (`EPIPE`) have neither.
    const code = text('code');
    if (code && /^[0-9A-Z]{5}$/.test(code) && text('severity')) {
      return {
        code,
        // PGlite names the fields like node-postgres; postgres-js like the protocol.
        constraint: text('constraint', 'constraint_name'),
        table: text('table', 'table_name'),
        column: text('column', 'column_name'),
        routine: text('routine'),
      };
    }
  }
  return undefined;
}

/** SQLSTATE class 22, "data exception": the database refused a value (out of range, malformed). */
export const isDataException = (error: unknown): boolean =>
  findDatabaseError(error)?.code.startsWith('22') ?? false;
