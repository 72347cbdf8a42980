/**
 * Child process of the JobManager crash tests: registers an agent, then submits a job
 * with SABOT_CRASH_AFTER_STEP set, so it dies (SIGKILL) right after the chosen step.
 *   node submit-and-crash.js <catalog URL or data dir> <job graph JSON>
 */
import { registerAgent } from '../../src/control/agents.js';
import { openCatalog } from '../../src/control/catalog/open-catalog.js';
import { JobManager } from '../../src/control/job-manager.js';

const [where, graph] = process.argv.slice(2) as [string, string];
const store = await openCatalog(where.startsWith('postgresql://') ? { catalog: where, dataDir: '' } : { dataDir: where });
await store.transaction((tx) => registerAgent(tx, { agentId: 'agent-1', host: '127.0.0.1', port: 0, slots: 8 }, Date.now() * 1000));
const manager = new JobManager({ store });
const jobId = await manager.submitJob(graph);
process.stdout.write(`${jobId}\n`);
await store.close();
