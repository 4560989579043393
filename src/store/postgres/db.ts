import pg from 'pg';
import type { CustomTypesConfig, PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { ParleyError } from '../../core/errors.js';
import { keepsConnection, mapPgError } from './errors.js';

/**
 * A statement with a name: pg prepares it once per pooled connection and then only sends its parameters.
 * Values always travel as parameters ($1, $2, ...), never inside the text.
 */
export interface Statement {
  /** Empty for a statement that is not prepared (see `unnamed`). */
  readonly name: string;
  readonly text: string;
}

const names = new Set<string>();

/** Declares a prepared statement. Names are global to a connection, so each may be declared only once. */
export function sql(name: string, text: string): Statement {
  if (names.has(name)) throw new Error(`statement ${name} is declared twice`);
  names.add(name);
  return { name: `parley.${name}`, text };
}

/**
 * A statement sent without preparing it: DDL, and migrations that hold several statements (which only the
 * simple protocol accepts, and only without parameters).
 */
export function unnamed(text: string): Statement {
  return { name: '', text };
}

const INT8_OID = 20;

/** BIGINT/BIGSERIAL columns come back as numbers (ids, seqs, millisecond timestamps, counts). */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ParleyError('internal', 'a stored integer is too large');
  return value;
}

/**
 * Per pool, not pg's global parsers: other users of pg in the same process keep the default (strings for int8).
 */
export const TYPES: CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format),
};

/** The queries a transaction body may run; all go to the one connection that holds the transaction. */
export interface Tx {
  query<R extends QueryResultRow>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
  /** Ends the transaction with ROLLBACK instead of COMMIT once the body returns (its value is still returned). */
  rollbackInstead(): void;
}

function toConfig(statement: Statement, values: readonly unknown[]): QueryConfig {
  return statement.name === ''
    ? { text: statement.text, values: [...values] }
    : { name: statement.name, text: statement.text, values: [...values] };
}

function unavailable(message: string, cause?: unknown): ParleyError {
  const error = new ParleyError('unavailable', message);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/**
 * The pool plus the rules every store call follows: a closed store answers `unavailable`; driver errors are
 * mapped (conflict, not_found, unavailable); a connection that failed is thrown away rather than reused; and a
 * transaction only reports success once its COMMIT has been acknowledged as a commit.
 */
export class Db {
  private closed = false;
  private ending: Promise<void> | null = null;

  constructor(readonly pool: pg.Pool) {
    // An idle connection that breaks (server restart, network) is reported here and already dropped by the pool;
    // without a listener it would crash the process. The next call opens a fresh connection.
    pool.on('error', () => {});
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async checkout(): Promise<{ client: PoolClient; release: (discard: boolean) => void }> {
    if (this.closed) throw unavailable('the store is closed');
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      const mapped = mapPgError(err);
      throw mapped instanceof ParleyError ? mapped : unavailable('the database cannot be reached', err);
    }
    // A checked-out connection that breaks between two queries emits 'error' on the client; the pool only
    // listens while the client is idle, so listen here too and throw the connection away on release.
    let broken = false;
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    return {
      client,
      release: (discard) => {
        client.removeListener('error', onError);
        client.release(discard || broken ? true : undefined);
      },
    };
  }

  /** One statement, on any pooled connection, committed on its own. */
  async query<R extends QueryResultRow>(
    statement: Statement,
    values: readonly unknown[],
    conflictMessage?: string,
  ): Promise<R[]> {
    const { client, release } = await this.checkout();
    try {
      const result = await client.query<R>(toConfig(statement, values));
      release(false);
      return result.rows;
    } catch (err) {
      release(!keepsConnection(err));
      throw mapPgError(err, conflictMessage);
    }
  }

  /**
   * Runs `body` in one transaction (READ COMMITTED) on one connection. Any error rolls it back; a lost
   * connection leaves the server to roll back. The result is returned only after the server answered COMMIT
   * with COMMIT: a transaction that was aborted on the server answers COMMIT with ROLLBACK, and that is an error
   * here, never a success.
   */
  async transaction<T>(body: (tx: Tx) => Promise<T>, conflictMessage?: string): Promise<T> {
    const { client, release } = await this.checkout();
    let rollback = false;
    const tx: Tx = {
      query: async <R extends QueryResultRow>(statement: Statement, values: readonly unknown[]) =>
        (await client.query<R>(toConfig(statement, values))).rows,
      rollbackInstead: () => {
        rollback = true;
      },
    };
    try {
      await client.query('BEGIN');
      const value = await body(tx);
      if (rollback) {
        await client.query('ROLLBACK');
      } else {
        const done = await client.query('COMMIT');
        if (done.command !== 'COMMIT') throw unavailable('the transaction was rolled back by the database');
      }
      release(false);
      return value;
    } catch (err) {
      release(!(await this.rollbackAfter(client, err)));
      throw mapPgError(err, conflictMessage);
    }
  }

  /** True when the connection is back outside any transaction and can be reused. */
  private async rollbackAfter(client: PoolClient, err: unknown): Promise<boolean> {
    // A connection that failed, or a query the client gave up on, is not in step with the server: rolling back
    // on it could wait behind the stuck query. Closing it rolls back on the server.
    if (!keepsConnection(err) && !(err instanceof ParleyError)) return false;
    try {
      await client.query('ROLLBACK');
      return true;
    } catch {
      return false;
    }
  }

  /** Closing twice is harmless: shutdown paths may both get here. In-flight calls finish first. */
  async close(): Promise<void> {
    this.closed = true;
    this.ending ??= this.pool.end();
    await this.ending;
  }
}
