import Database from 'better-sqlite3';
import { SabotError, SqlState } from '../../../errors.js';
import { formatTimestamptz, parseTimestamptz } from '../../../types/datetime.js';
import type { SqlType } from '../../../types/sql-type.js';
import { quoteIdent, type CatalogDriver, type DriverResult, type RunSql } from '../driver.js';

/**
 * The SQLite catalog (better-sqlite3, WAL): one file in the data directory, used by the
 * single process that owns it. Statements are synchronous underneath, so transactions
 * are queued here and never interleave; BEGIN IMMEDIATE takes the write lock up front.
 */
export class SqliteDriver implements CatalogDriver {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly location: string, options: { mustExist?: boolean } = {}) {
    try {
      this.db = new Database(location, { fileMustExist: options.mustExist ?? false });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
    } catch (err) {
      throw new SabotError(SqlState.connectionException,
        `cannot open the catalog at ${location}: ${(err as Error).message}`, { cause: err, userFault: true });
    }
  }

  async prepare(): Promise<void> {}

  placeholder(): string {
    return '?';
  }

  table(name: string): string {
    return quoteIdent(name);
  }

  columnType(type: SqlType): string {
    switch (type.kind) {
      case 'int2': case 'int4': case 'int8': case 'bool': return 'INTEGER';
      case 'float4': case 'float8': return 'REAL';
      default: return 'TEXT';
    }
  }

  toDb(type: SqlType, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (type.kind) {
      case 'timestamptz': return formatTimestamptz(value as number, 'UTC');
      case 'bool': return value ? 1 : 0;
      default: return value;
    }
  }

  fromDb(type: SqlType, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (type.kind) {
      case 'timestamptz': return parseTimestamptz(value as string);
      case 'int8': return BigInt(value as bigint);
      case 'int2': case 'int4': return Number(value);
      case 'bool': return Number(value) !== 0;
      default: return value;
    }
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      stmt.safeIntegers(true);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private runNow(sql: string, params: unknown[]): DriverResult {
    const stmt = this.statement(sql);
    if (stmt.reader) return { rows: stmt.all(...params) as Record<string, unknown>[], changes: 0 };
    return { rows: [], changes: stmt.run(...params).changes };
  }

  run: RunSql = (sql, params) => this.enqueue(async () => this.runNow(sql, params));

  transaction<T>(fn: (run: RunSql) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(async (sql, params) => this.runNow(sql, params));
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /** Runs tasks one at a time, in order, so a transaction never sees another's writes mid-way. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
