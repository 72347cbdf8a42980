import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogStore } from '../../src/control/catalog/catalog-store.js';
import { openCatalog } from '../../src/control/catalog/open-catalog.js';
import { PostgresDriver } from '../../src/control/catalog/postgres/driver.js';
import type { CatalogDriver } from '../../src/control/catalog/driver.js';
import { migrate } from '../../src/control/catalog/migrations.js';
import { SqliteDriver } from '../../src/control/catalog/sqlite/driver.js';
import { SabotError } from '../../src/errors.js';
import { freshDatabase } from '../support/postgres.js';

/** Each dialect: a way to get a new, empty store and to clean up after it. */
const dialects: [string, () => Promise<{
  open(): Promise<CatalogStore>; migrateTo(version: number, then: (driver: CatalogDriver) => Promise<void>): Promise<void>; cleanup(): Promise<void>;
}>][] = [
  ['sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sabot-catalog-'));
    return {
      open: () => CatalogStore.open(new SqliteDriver(join(dir, 'catalog.db'))),
      migrateTo: async (version, then) => {
        const driver = new SqliteDriver(join(dir, 'catalog.db'));
        await migrate(driver, version);
        await then(driver);
        await driver.close();
      },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }],
  ['postgres', async () => {
    const db = await freshDatabase('sabot_catalog');
    return {
      open: () => CatalogStore.open(new PostgresDriver(db.url)),
      migrateTo: async (version, then) => {
        const driver = new PostgresDriver(db.url);
        await migrate(driver, version);
        await then(driver);
        await driver.close();
      },
      cleanup: db.drop,
    };
  }],
];

for (const [dialect, make] of dialects) {
  describe(`catalog store on ${dialect}`, () => {
    test('migrates to the latest version once, and again is a no-op', async () => {
      const env = await make();
      try {
        const a = await env.open();
        assert.equal(await a.version(), CatalogStore.latestVersion);
        await a.close();
        const b = await env.open();
        assert.equal(await b.version(), CatalogStore.latestVersion);
        await b.close();
      } finally {
        await env.cleanup();
      }
    });

    test('a catalog made by version 1 upgrades: its rows keep their values and get the new columns', async () => {
      const env = await make();
      try {
        await env.migrateTo(1, async (driver) => {
          const columns = ['task_id', 'job_id', 'operator_id', 'operator_type', 'operator_name', 'task_index', 'parallelism', 'state',
            'rows_processed', 'bytes_processed', 'failure_count'];
          await driver.run(`INSERT INTO ${driver.table('tasks')} (${columns.join(', ')}) VALUES (${columns.map((_, i) => driver.placeholder(i + 1)).join(', ')})`,
            ['t1', 'j1', 'source_0', 'source', 'Source s', 0, 1, 'running', 42, 0, 0]);
        });
        const store = await env.open();
        try {
          assert.equal(await store.version(), CatalogStore.latestVersion);
          const [task] = await store.select('tasks', { task_id: 't1' });
          assert.equal(task!.rows_processed, 42n);
          assert.equal(task!.rows_rejected, 0n);
          assert.equal(await store.insert('source_positions', { task_id: 't1', job_id: 'j1', position_json: '{"0":7}', updated_at: 1 }), true);
        } finally {
          await store.close();
        }
      } finally {
        await env.cleanup();
      }
    });

    test('rows keep their types through a write and a read', async () => {
      const env = await make();
      const store = await env.open();
      try {
        const at = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 123;
        assert.equal(await store.insert('jobs', {
          job_id: 'j1', job_name: 'flow', status: 'pending', default_parallelism: 4, checkpoint_interval_ms: 60000n,
          job_graph_json: '{}', submitted_at: at, failure_count: 0,
        }), true);
        assert.equal(await store.insert('jobs', {
          job_id: 'j1', job_name: 'dup', status: 'pending', default_parallelism: 1, checkpoint_interval_ms: 0n,
          job_graph_json: '{}', submitted_at: at, failure_count: 0,
        }), false, 'a second row with the same key is refused');
        const [job] = await store.select('jobs', { job_id: 'j1' });
        assert.deepEqual(job, {
          job_id: 'j1', job_name: 'flow', status: 'pending', default_parallelism: 4, checkpoint_interval_ms: 60000n,
          job_graph_json: '{}', optimized_dag_json: null, submitted_at: at, started_at: null, completed_at: null,
          error_message: null, failure_count: 0,
        });
        assert.equal(await store.update('jobs', { job_id: 'j1' }, { status: 'running', started_at: at + 1 }), 1);
        assert.equal((await store.select('jobs'))[0]!.status, 'running');
        assert.equal(await store.delete('jobs', { job_id: 'j1' }), 1);
        assert.deepEqual(await store.select('jobs'), []);
      } finally {
        await store.close();
        await env.cleanup();
      }
    });

    test('a transaction that throws leaves nothing behind; concurrent ones do not interleave', async () => {
      const env = await make();
      const store = await env.open();
      try {
        const row = (name: string) => ({ name, connector: 'internal', schema_json: '[]', options_json: '{}', created_at: 0 });
        await assert.rejects(store.transaction(async (tx) => {
          await tx.insert('streams', row('a'));
          throw new Error('boom');
        }), /boom/);
        assert.deepEqual(await store.select('streams'), []);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transaction(async (tx) => {
          const exists = (await tx.select('streams', { name: 'shared' })).length > 0;
          if (!exists) await tx.insert('streams', row('shared'));
          return tx.insert('streams', row(`s${i}`));
        })));
        assert.ok(results.every((r) => r));
        const names = (await store.select('streams')).map((r) => r.name);
        assert.equal(names.length, 21);
        assert.equal(names.filter((n) => n === 'shared').length, 1);
      } finally {
        await store.close();
        await env.cleanup();
      }
    });
  });
}

test('a data directory whose catalog file went missing is an error, not a new empty catalog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sabot-data-'));
  try {
    const store = await openCatalog({ dataDir: dir });
    await store.close();
    rmSync(join(dir, 'catalog.db'));
    await assert.rejects(openCatalog({ dataDir: dir }), (e: SabotError) => /catalog .* is missing/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable catalog file gives a clear error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sabot-data-'));
  try {
    writeFileSync(join(dir, 'catalog.db'), 'this is not a database, just some text that is long enough to be read');
    await assert.rejects(openCatalog({ dataDir: dir }), (e: SabotError) => e.message.includes(join(dir, 'catalog.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
