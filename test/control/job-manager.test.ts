import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerAgent } from '../../src/control/agents.js';
import type { CatalogStore } from '../../src/control/catalog/catalog-store.js';
import { openCatalog } from '../../src/control/catalog/open-catalog.js';
import { JobManager } from '../../src/control/job-manager.js';
import type { JobGraph } from '../../src/plan/job-graph.js';
import { freshDatabase } from '../support/postgres.js';
import { repoRoot } from '../support/server.js';

/** source (parallelism 2) -> filter (3) -> sink (3): 8 tasks, a rebalance and a forward edge. */
const graph: JobGraph = {
  version: 1,
  name: 'order_processing',
  parallelism: 3,
  operators: [
    { id: 'source', type: 'source', name: 'orders', parallelism: 2 },
    { id: 'filter', type: 'filter', name: "status = 'pending'" },
    { id: 'sink', type: 'sink', name: 'pending' },
  ],
  edges: [{ from: 'source', to: 'filter' }, { from: 'filter', to: 'sink' }],
};
const SUBMIT_STEPS = 5;

/** Each dialect: where its catalog lives, and how to clean up. */
const dialects: [string, () => Promise<{ where: string; open(): Promise<CatalogStore>; cleanup(): Promise<void> }>][] = [
  ['sqlite', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sabot-jm-')), 'data');
    return { where: dir, open: () => openCatalog({ dataDir: dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ['postgres', async () => {
    const db = await freshDatabase('sabot_jm');
    return { where: db.url, open: () => openCatalog({ catalog: db.url, dataDir: '' }), cleanup: db.drop };
  }],
];

async function withAgent(store: CatalogStore): Promise<void> {
  await store.transaction((tx) => registerAgent(tx, { agentId: 'agent-1', host: '127.0.0.1', port: 0, slots: 8 }, Date.now() * 1000));
}

/** Every table holds exactly one running job with its 8 tasks, 8 assignments and 2 edges. */
async function checkOneRunningJob(store: CatalogStore): Promise<string> {
  const jobs = await store.select('jobs');
  assert.equal(jobs.length, 1, 'one job');
  assert.equal(jobs[0]!.status, 'running');
  assert.notEqual(jobs[0]!.started_at, null);
  const jobId = jobs[0]!.job_id as string;
  const tasks = await store.select('tasks', { job_id: jobId });
  assert.equal(tasks.length, 8, 'tasks');
  assert.ok(tasks.every((t) => t.state === 'running' && t.agent_id === 'agent-1'));
  assert.deepEqual(new Set(tasks.map((t) => t.slot_id)).size, 3, 'subtask i of every operator shares slot i');
  assert.ok(tasks.every((t) => t.slot_id === t.task_index), 'subtask i in slot i');
  const assignments = await store.select('task_assignments', { job_id: jobId });
  assert.equal(assignments.length, 8, 'assignments');
  assert.ok(assignments.every((a) => a.reason === 'initial_deploy'));
  const edges = await store.select('shuffle_edges', { job_id: jobId });
  assert.deepEqual(edges.map((e) => e.edge_type).sort(), ['forward', 'rebalance']);
  const [graphRow] = await store.select('execution_graphs', { job_id: jobId });
  assert.equal(graphRow!.total_tasks, 8);
  assert.equal(graphRow!.total_operators, 3);
  const [agent] = await store.select('agents', { agent_id: 'agent-1' });
  assert.equal(agent!.available_slots, 5, 'three of the eight slots taken');
  const workflows = await store.select('workflow_state');
  assert.equal(workflows.length, 1);
  assert.equal(workflows[0]!.status, 'succeeded');
  assert.equal(workflows[0]!.completed_steps, SUBMIT_STEPS);
  assert.equal((await store.select('workflow_steps')).length, SUBMIT_STEPS);
  return jobId;
}

for (const [dialect, make] of dialects) {
  describe(`JobManager on ${dialect}`, () => {
    test('submit runs the job; resubmitting the same graph returns the same job; cancel frees the slots', async () => {
      const env = await make();
      const store = await env.open();
      try {
        await withAgent(store);
        const manager = new JobManager({ store });
        const jobId = await manager.submitJob(JSON.stringify(graph));
        assert.equal(await manager.submitJob(graph), jobId);
        assert.equal(await checkOneRunningJob(store), jobId);
        assert.equal((await manager.getJobStatus(jobId))!.status, 'running');
        await manager.pauseJob(jobId);
        assert.equal((await manager.getJobStatus(jobId))!.status, 'paused');
        await assert.rejects(manager.pauseJob(jobId), /only a running job can be paused/);
        await manager.resumeJob(jobId);
        assert.equal((await manager.getJobStatus(jobId))!.status, 'running');
        await manager.cancelJob(jobId);
        const status = (await manager.getJobStatus(jobId))!;
        assert.equal(status.status, 'canceled');
        assert.ok(status.completedAt instanceof Date);
        assert.ok((await store.select('tasks', { job_id: jobId })).every((t) => t.state === 'canceled'));
        assert.equal((await store.select('agents'))[0]!.available_slots, 8);
        // After the job ended, the same graph makes a new job.
        const again = await manager.submitJob(graph);
        assert.notEqual(again, jobId);
        assert.deepEqual((await manager.listJobs()).map((j) => j.status), ['canceled', 'running']);
      } finally {
        await store.close();
        await env.cleanup();
      }
    });

    test('rescale replaces the tasks, hands the sources\' positions on, and keeps the slot count right', async () => {
      const env = await make();
      const store = await env.open();
      try {
        await withAgent(store);
        const manager = new JobManager({ store });
        const jobId = await manager.submitJob(graph);
        // The two source tasks have read up to 7 and 12.
        for (const [i, at] of [[0, '"7"'], [1, '"12"']] as const) {
          await store.insert('source_positions', { task_id: `${jobId}:source:${i}`, job_id: jobId, position_json: at, updated_at: 1 });
        }
        await assert.rejects(manager.rescaleJob(jobId, 9), /not enough task slots/);
        await manager.rescaleJob(jobId, 5);
        const status = (await manager.getJobStatus(jobId))!;
        assert.deepEqual([status.status, status.defaultParallelism], ['running', 5]);
        const tasks = await store.select('tasks', { job_id: jobId });
        assert.equal(tasks.length, 2 + 5 + 5, 'the source keeps its own parallelism of 2; filter and sink get 5');
        assert.equal((await store.select('agents'))[0]!.available_slots, 3, 'five shared slots of eight');
        assert.equal((await store.select('task_assignments', { job_id: jobId })).filter((a) => a.reason === 'rescale').length, 12);
        const positions = await store.select('source_positions', { job_id: jobId });
        assert.deepEqual(positions.map((p) => JSON.parse(p.position_json as string)),
          [{ rescaled: { splits: 2, positions: ['7', '12'] } }, { rescaled: { splits: 2, positions: ['7', '12'] } }]);
        await assert.rejects(manager.rescaleJob(jobId, 2), /still catching up after the last rescale/);
        await manager.cancelJob(jobId);
        assert.equal((await store.select('agents'))[0]!.available_slots, 8);
      } finally {
        await store.close();
        await env.cleanup();
      }
    });

    test('a job that needs more slots than the agents have fails with a clear error', async () => {
      const env = await make();
      const store = await env.open();
      try {
        await withAgent(store);
        const manager = new JobManager({ store });
        await assert.rejects(manager.submitJob({ ...graph, parallelism: 20 }), /not enough task slots: the job needs 20, the alive agents have 8 free/);
        const [workflow] = await store.select('workflow_state');
        assert.equal(workflow!.status, 'failed');
        const [job] = await store.select('jobs');
        assert.equal(job!.status, 'failed');
        assert.match(job!.error_message as string, /not enough task slots/);
        assert.equal(job!.failure_count, 1);
      } finally {
        await store.close();
        await env.cleanup();
      }
    });

    for (let k = 1; k <= SUBMIT_STEPS; k++) {
      test(`a crash right after submit step ${k} loses nothing and repeats nothing`, async () => {
        const env = await make();
        try {
          const child = spawnSync(process.execPath, [join(repoRoot, 'dist/test/support/submit-and-crash.js'), env.where, JSON.stringify(graph)], {
            env: { ...process.env, SABOT_CRASH_AFTER_STEP: `submit_job:${k}` }, encoding: 'utf8',
          });
          assert.equal(child.signal, 'SIGKILL', `the child dies at step ${k}: ${child.stderr}`);
          const store = await env.open();
          try {
            const [wf] = await store.select('workflow_state');
            assert.equal(wf!.completed_steps, k, 'the crash came right after the step committed');
            const manager = new JobManager({ store });
            await manager.start(); // resumes the interrupted workflow
            const jobId = await checkOneRunningJob(store);
            assert.equal(await manager.submitJob(graph), jobId, 'a resubmission joins the same job');
            await checkOneRunningJob(store);
          } finally {
            await store.close();
          }
        } finally {
          await env.cleanup();
        }
      });
    }
  });
}
