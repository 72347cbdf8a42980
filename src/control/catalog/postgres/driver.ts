import pg from 'pg';
import { SabotError, SqlState } from '../../../errors.js';
import { formatTimestamptz, parseTimestamptz } from '../../../types/datetime.js';
import type { SqlType } from '../../../types/sql-type.js';
import { quoteIdent, type CatalogDriver, type RunSql } from '../driver.js';

/** Keeps timestamptz and int8 as text, so no precision is lost on the way in. */
const rawTypes = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 1184 || oid === 20 ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text'),
} as pg.CustomTypesConfig;

/**
 * The PostgreSQL catalog (`pg`), in schema `sabot`, shared by the server and remote
 * agents. Connections use UTC so timestamps read back as written.
 */
export class PostgresDriver implements CatalogDriver {
  readonly dialect = 'postgres';
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(url: string, readonly schema = 'sabot') {
    const parsed = new URL(url);
    parsed.password = '';
    this.location = parsed.toString();
    this.pool = new pg.Pool({ connectionString: url, max: 8, types: rawTypes, options: '-c TimeZone=UTC' });
    // An idle client's error (the server restarted) must not take the process down.
    this.pool.on('error', () => undefined);
  }

  async prepare(): Promise<void> {
    try {
      await this.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`, []);
    } catch (err) {
      // Two processes creating the schema at once: the loser sees a duplicate key.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }

  placeholder(index: number): string {
    return `$${index}`;
  }

  table(name: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(name)}`;
  }

  columnType(type: SqlType): string {
    switch (type.kind) {
      case 'int2': return 'SMALLINT';
      case 'int4': return 'INTEGER';
      case 'int8': return 'BIGINT';
      case 'bool': return 'BOOLEAN';
      case 'float4': return 'REAL';
      case 'float8': return 'DOUBLE PRECISION';
      case 'timestamptz': return 'TIMESTAMPTZ';
      default: return 'TEXT';
    }
  }

  toDb(type: SqlType, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (type.kind === 'timestamptz') return formatTimestamptz(value as number, 'UTC');
    if (type.kind === 'int8') return String(value);
    return value;
  }

  fromDb(type: SqlType, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (type.kind === 'timestamptz') return parseTimestamptz(value as string);
    if (type.kind === 'int8') return BigInt(value as string);
    return value;
  }

  run: RunSql = (sql, params) => this.query(this.pool, sql, params);

  private async query(client: pg.Pool | pg.PoolClient, sql: string, params: unknown[]) {
    try {
      const r = await client.query(sql, params);
      return { rows: r.rows as Record<string, unknown>[], changes: r.rowCount ?? 0 };
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === undefined || e.code.startsWith('08') || e.code === '57P01') {
        throw new SabotError(SqlState.connectionException, `catalog at ${this.location} is unreachable: ${e.message}`,
          { cause: err, retryable: true });
      }
      throw err;
    }
  }

  async transaction<T>(fn: (run: RunSql) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new SabotError(SqlState.connectionException,
        `catalog at ${this.location} is unreachable: ${(err as Error).message}`, { cause: err, retryable: true });
    }
    try {
      await client.query('BEGIN');
      const result = await fn((sql, params) => this.query(client, sql, params));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
