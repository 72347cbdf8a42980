import type { CatalogAccess } from './catalog/catalog-store.js';
import type { CatalogRow } from './catalog/schema.js';

export interface AgentRegistration {
  agentId: string;
  host: string;
  port: number;
  slots: number;
}

/** Task states that hold a slot on their agent. */
const HOLDING = ['scheduled', 'deploying', 'running', 'canceling', 'recovering'];

/** Slots the tasks hold: tasks of one job with the same slot id share it (slot sharing). */
function heldSlots(tasks: CatalogRow[]): number {
  return new Set(tasks.filter((t) => HOLDING.includes(t.state as string)).map((t) => `${String(t.job_id)}/${String(t.slot_id)}`)).size;
}

/**
 * An agent joins (or rejoins after a restart): its row says alive with its slots, and its
 * free slots are recounted from the tasks the catalog says it holds, so a crash between
 * an assignment and its bookkeeping cannot leak or double-count slots.
 */
export async function registerAgent(tx: CatalogAccess, agent: AgentRegistration, now: number): Promise<void> {
  const held = heldSlots(await tx.select('tasks', { agent_id: agent.agentId }));
  const row = {
    host: agent.host, port: agent.port, status: 'alive', max_workers: agent.slots,
    available_slots: Math.max(0, agent.slots - held), last_heartbeat: now,
  };
  const inserted = await tx.insert('agents', { agent_id: agent.agentId, ...row, registered_at: now });
  if (!inserted) await tx.update('agents', { agent_id: agent.agentId }, row);
}

/**
 * A job's tasks end (finished, failed or canceled): each task that held a slot gives it
 * back to its agent.
 */
export async function endTasks(tx: CatalogAccess, jobId: string, state: 'finished' | 'failed' | 'canceled', now: number): Promise<void> {
  const perAgent = new Map<string, CatalogRow[]>();
  for (const t of await tx.select('tasks', { job_id: jobId })) {
    if (t.agent_id !== null) perAgent.set(t.agent_id as string, [...(perAgent.get(t.agent_id as string) ?? []), t]);
  }
  for (const [agentId, tasks] of perAgent) {
    const n = heldSlots(tasks);
    if (n === 0) continue;
    const [agent] = await tx.select('agents', { agent_id: agentId });
    if (agent) {
      await tx.update('agents', { agent_id: agentId }, { available_slots: Math.min(agent.max_workers as number, (agent.available_slots as number) + n) });
    }
  }
  for (const t of await tx.select('tasks', { job_id: jobId })) {
    if (HOLDING.includes(t.state as string)) await tx.update('tasks', { task_id: t.task_id }, { state, last_heartbeat: now });
  }
}
