import { SabotError, SqlState } from '../../errors.js';
import { quoteIdent, type CatalogDriver, type RunSql } from './driver.js';
import { migrate, schemaVersion, LATEST_VERSION } from './migrations.js';
import { catalogTable, type CatalogRow, type CatalogTable, type CatalogTableName } from './schema.js';

/** Reads and writes of catalog rows, inside one transaction or alone. */
export interface CatalogAccess {
  /** Inserts a row; false when a row with its primary key exists already. */
  insert(table: CatalogTableName, row: CatalogRow): Promise<boolean>;
  /** Updates the rows matching `where`; returns how many changed. */
  update(table: CatalogTableName, where: CatalogRow, changes: CatalogRow): Promise<number>;
  delete(table: CatalogTableName, where: CatalogRow): Promise<number>;
  select(table: CatalogTableName, where?: CatalogRow): Promise<CatalogRow[]>;
}

function tableOf(name: string): CatalogTable {
  const t = catalogTable(name);
  if (!t) throw new Error(`no catalog table ${name}`);
  return t;
}

/** Catalog rows through one driver: the same SQL for both dialects but for placeholders and types. */
class Access implements CatalogAccess {
  constructor(private readonly driver: CatalogDriver, private readonly run: RunSql) {}

  private where(t: CatalogTable, where: CatalogRow, first: number): { sql: string; params: unknown[] } {
    const keys = Object.keys(where);
    if (keys.length === 0) return { sql: '', params: [] };
    const params: unknown[] = [];
    const terms = keys.map((k, i) => {
      const c = t.columns.find((x) => x.name === k);
      if (!c) throw new Error(`no column ${k} in ${t.name}`);
      params.push(this.driver.toDb(c.type, where[k]));
      return `${quoteIdent(k)} = ${this.driver.placeholder(first + i)}`;
    });
    return { sql: ` WHERE ${terms.join(' AND ')}`, params };
  }

  async insert(table: CatalogTableName, row: CatalogRow): Promise<boolean> {
    const t = tableOf(table);
    const cols = t.columns.filter((c) => row[c.name] !== undefined);
    const sql = `INSERT INTO ${this.driver.table(table)} (${cols.map((c) => quoteIdent(c.name)).join(', ')}) ` +
      `VALUES (${cols.map((_, i) => this.driver.placeholder(i + 1)).join(', ')}) ON CONFLICT DO NOTHING`;
    const { changes } = await this.run(sql, cols.map((c) => this.driver.toDb(c.type, row[c.name])));
    return changes > 0;
  }

  async update(table: CatalogTableName, where: CatalogRow, changes: CatalogRow): Promise<number> {
    const t = tableOf(table);
    const cols = t.columns.filter((c) => changes[c.name] !== undefined);
    if (cols.length === 0) return 0;
    const set = cols.map((c, i) => `${quoteIdent(c.name)} = ${this.driver.placeholder(i + 1)}`).join(', ');
    const w = this.where(t, where, cols.length + 1);
    const result = await this.run(`UPDATE ${this.driver.table(table)} SET ${set}${w.sql}`,
      [...cols.map((c) => this.driver.toDb(c.type, changes[c.name])), ...w.params]);
    return result.changes;
  }

  async delete(table: CatalogTableName, where: CatalogRow): Promise<number> {
    const t = tableOf(table);
    const w = this.where(t, where, 1);
    return (await this.run(`DELETE FROM ${this.driver.table(table)}${w.sql}`, w.params)).changes;
  }

  async select(table: CatalogTableName, where: CatalogRow = {}): Promise<CatalogRow[]> {
    const t = tableOf(table);
    const w = this.where(t, where, 1);
    const order = t.primaryKey.map(quoteIdent).join(', ');
    const { rows } = await this.run(
      `SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${this.driver.table(table)}${w.sql} ORDER BY ${order}`, w.params);
    return rows.map((r) => {
      const out: CatalogRow = {};
      for (const c of t.columns) out[c.name] = this.driver.fromDb(c.type, r[c.name]);
      return out;
    });
  }
}

/**
 * The durable catalog behind one interface, on SQLite or PostgreSQL. Every state change
 * of the control plane is a write here; `transaction` groups writes that must happen
 * together.
 */
export class CatalogStore implements CatalogAccess {
  private readonly access: Access;

  private constructor(readonly driver: CatalogDriver) {
    this.access = new Access(driver, driver.run);
  }

  /** Opens a catalog, migrating its schema to the latest version. */
  static async open(driver: CatalogDriver): Promise<CatalogStore> {
    try {
      await migrate(driver);
    } catch (err) {
      await driver.close().catch(() => undefined);
      if (err instanceof SabotError) throw err;
      throw new SabotError(SqlState.connectionException,
        `cannot prepare the catalog at ${driver.location}: ${(err as Error).message}`, { cause: err });
    }
    return new CatalogStore(driver);
  }

  get dialect(): 'sqlite' | 'postgres' {
    return this.driver.dialect;
  }

  async version(): Promise<number> {
    return schemaVersion(this.driver);
  }

  static readonly latestVersion = LATEST_VERSION;

  transaction<T>(fn: (tx: CatalogAccess) => Promise<T>): Promise<T> {
    return this.driver.transaction((run) => fn(new Access(this.driver, run)));
  }

  insert(table: CatalogTableName, row: CatalogRow): Promise<boolean> {
    return this.access.insert(table, row);
  }

  update(table: CatalogTableName, where: CatalogRow, changes: CatalogRow): Promise<number> {
    return this.access.update(table, where, changes);
  }

  delete(table: CatalogTableName, where: CatalogRow): Promise<number> {
    return this.access.delete(table, where);
  }

  select(table: CatalogTableName, where?: CatalogRow): Promise<CatalogRow[]> {
    return this.access.select(table, where);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
