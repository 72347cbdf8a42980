/** The JobManager as a TypeScript user gets it: `import { JobManager } from 'sabot'`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobManager, SabotError, type JobGraph } from 'sabot';
import { registerAgent } from '../../src/control/agents.js';
import { openCatalog } from '../../src/control/catalog/open-catalog.js';
import { freshDatabase } from '../support/postgres.js';
import { tempDataDir } from '../support/server.js';

const graph: JobGraph = {
  version: 1, name: 'api_job', parallelism: 2,
  operators: [{ id: 'src', type: 'source', name: 'events' }, { id: 'out', type: 'sink', name: 'blackhole' }],
  edges: [{ from: 'src', to: 'out' }],
};

async function addAgent(where: { catalog?: string; dataDir: string }): Promise<void> {
  const store = await openCatalog(where);
  await store.transaction((tx) => registerAgent(tx, { agentId: 'a1', host: '127.0.0.1', port: 0, slots: 4 }, Date.now() * 1000));
  await store.close();
}

test('new JobManager({ dataDir }) keeps jobs in SQLite; new JobManager({ dbosUrl }) in PostgreSQL', async () => {
  const db = await freshDatabase('sabot_api');
  try {
    for (const [options, where] of [
      [{ dataDir: tempDataDir() }, null],
      [{ dbosUrl: db.url }, db.url],
    ] as const) {
      const dataDir = 'dataDir' in options ? options.dataDir : '';
      await addAgent({ catalog: where ?? undefined, dataDir });
      const jobs = new JobManager(options);
      const jobId = await jobs.submitJob(JSON.stringify(graph));
      assert.equal((await jobs.getJobStatus(jobId))?.status, 'running');
      assert.deepEqual((await jobs.listJobs()).map((j) => [j.jobName, j.status]), [['api_job', 'running']]);
      await jobs.cancelJob(jobId);
      assert.equal((await jobs.getJobStatus(jobId))?.status, 'canceled');
      assert.equal(await jobs.getJobStatus('job_nope'), undefined);
      await assert.rejects(jobs.cancelJob('job_nope'), (e: SabotError) => e instanceof SabotError && /does not exist/.test(e.message));
      await assert.rejects(jobs.submitJob('{"version": 9}'), /version 9 is not supported/);
      await jobs.close();
    }
  } finally {
    await db.drop();
  }
});
