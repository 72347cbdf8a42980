import { catalogTables, type CatalogColumn } from './schema.js';
import { quoteIdent, type CatalogDriver, type RunSql } from './driver.js';

/** One schema change; `statements` gets the driver so each dialect spells it its own way. */
interface Migration {
  version: number;
  description: string;
  statements(driver: CatalogDriver): string[];
}

const DESCRIPTIONS = ['catalog tables', 'tasks.rows_rejected and source_positions'];

/**
 * Migration v creates the tables added in version v (with their columns as of v) and
 * adds the columns version v added to older tables, so a catalog created at any version
 * reaches the same schema as a new one.
 */
const migrations: Migration[] = DESCRIPTIONS.map((description, i) => {
  const version = i + 1;
  return {
    version,
    description,
    statements: (driver) => catalogTables.flatMap((t): string[] => {
      const tableSince = 'since' in t ? t.since : 1;
      const columnSince = (c: CatalogColumn) => c.since ?? 1;
      const columnSql = (c: CatalogColumn) => `${quoteIdent(c.name)} ${driver.columnType(c.type)}${c.nullable ? '' : ' NOT NULL'}`;
      if (tableSince === version) {
        const columns = (t.columns as readonly CatalogColumn[]).filter((c) => columnSince(c) <= version).map(columnSql);
        return [`CREATE TABLE ${driver.table(t.name)} (${columns.join(', ')}, PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')}))`];
      }
      if (tableSince > version) return [];
      return (t.columns as readonly CatalogColumn[]).filter((c) => columnSince(c) === version)
        .map((c) => `ALTER TABLE ${driver.table(t.name)} ADD COLUMN ${columnSql(c)}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}`);
    }),
  };
});

export const LATEST_VERSION = migrations[migrations.length - 1]!.version;

/**
 * Brings the catalog schema to the latest version, applying each missing migration in
 * its own transaction and recording it in schema_migrations. Safe to run from several
 * processes at once (`upTo` stops at an older version, for tests of upgrades): on PostgreSQL an advisory lock serializes them, on SQLite the
 * write lock does. Returns the versions applied.
 */
export async function migrate(driver: CatalogDriver, upTo = LATEST_VERSION): Promise<number[]> {
  const versions = driver.table('schema_migrations');
  await driver.prepare();
  await driver.transaction(async (run: RunSql) => {
    await lock(driver, run);
    await run(`CREATE TABLE IF NOT EXISTS ${versions} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`, []);
  });
  const applied: number[] = [];
  for (const m of migrations.filter((x) => x.version <= upTo)) {
    const done = await driver.transaction(async (run) => {
      await lock(driver, run);
      const { rows } = await run(`SELECT version FROM ${versions} WHERE version = ${driver.placeholder(1)}`, [m.version]);
      if (rows.length > 0) return true;
      for (const sql of m.statements(driver)) await run(sql, []);
      await run(`INSERT INTO ${versions} (version, description, applied_at) VALUES (${driver.placeholder(1)}, ${driver.placeholder(2)}, ${driver.placeholder(3)})`,
        [m.version, m.description, new Date().toISOString()]);
      return false;
    });
    if (!done) applied.push(m.version);
  }
  return applied;
}

/** The schema version a catalog is at, or 0 when it has none yet. */
export async function schemaVersion(driver: CatalogDriver): Promise<number> {
  try {
    const { rows } = await driver.run(`SELECT max(version) AS v FROM ${driver.table('schema_migrations')}`, []);
    return Number(rows[0]?.v ?? 0);
  } catch {
    return 0;
  }
}

/** Key of the PostgreSQL advisory lock that serializes migrations ("sabot" in ASCII). */
const MIGRATION_LOCK_KEY = 0x7361626f74;

async function lock(driver: CatalogDriver, run: RunSql): Promise<void> {
  if (driver.dialect === 'postgres') await run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`, []);
}
