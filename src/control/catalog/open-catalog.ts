import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SabotError, SqlState } from '../../errors.js';
import { CatalogStore } from './catalog-store.js';
import { PostgresDriver } from './postgres/driver.js';
import { SqliteDriver } from './sqlite/driver.js';

export interface CatalogLocation {
  /** `postgresql://...` for the PostgreSQL store; otherwise SQLite in the data directory. */
  catalog?: string;
  dataDir: string;
}

/**
 * Opens (and migrates) the catalog a server or agent is told to use. A SQLite catalog is
 * `<data-dir>/catalog.db`; a data directory that exists without its catalog file is an
 * error rather than a silent new, empty catalog.
 */
export async function openCatalog(where: CatalogLocation): Promise<CatalogStore> {
  const url = where.catalog;
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) return CatalogStore.open(new PostgresDriver(url));
  if (url !== undefined && !url.startsWith('sqlite:')) {
    throw new SabotError(SqlState.invalidParameterValue,
      `unsupported catalog URL "${url}": expected postgresql://... or sqlite:<path>`);
  }
  const file = url !== undefined ? url.slice('sqlite:'.length) : join(where.dataDir, 'catalog.db');
  const fresh = !existsSync(where.dataDir);
  if (fresh) mkdirSync(where.dataDir, { recursive: true });
  const marker = join(where.dataDir, 'SABOT_DATA_DIR');
  if (!fresh && url === undefined && existsSync(marker) && !existsSync(file)) {
    throw new SabotError(SqlState.connectionException,
      `the catalog ${file} is missing from data directory ${where.dataDir}; restore it or start with a new --data-dir`);
  }
  const store = await CatalogStore.open(new SqliteDriver(file));
  if (url === undefined && !existsSync(marker)) writeFileSync(marker, 'Sabot data directory; catalog.db is its catalog.\n');
  return store;
}
