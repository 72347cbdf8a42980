import type { SqlType } from '../../types/sql-type.js';

/** Rows as the database returns them, and the number of rows a write changed. */
export interface DriverResult {
  rows: Record<string, unknown>[];
  changes: number;
}

export type RunSql = (sql: string, params: unknown[]) => Promise<DriverResult>;

/**
 * What the catalog store needs from a database: the SQL spelling of its dialect, value
 * conversion, and running statements alone or in a transaction. One implementation per
 * dialect folder (sqlite/, postgres/), each with the same file set.
 */
export interface CatalogDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Human-readable location for messages (a file path or a URL without password). */
  readonly location: string;
  /** Makes the place tables go (the schema on PostgreSQL); safe to repeat. */
  prepare(): Promise<void>;
  placeholder(index: number): string;
  /** The quoted, schema-qualified name of a catalog table. */
  table(name: string): string;
  columnType(type: SqlType): string;
  toDb(type: SqlType, value: unknown): unknown;
  fromDb(type: SqlType, value: unknown): unknown;
  run: RunSql;
  /** Runs fn in a transaction that commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (run: RunSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
