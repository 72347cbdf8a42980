import type { CatalogAccess } from './catalog/catalog-store.js';

export interface AgentRegistration {
  agentId: string;
  host: string;
  port: number;
  slots: number;
}

/** Task states that hold a slot on their agent. */
const HOLDING = ['scheduled', 'deploying', 'running', 'canceling', 'recovering'];

/**
 * An agent joins (or rejoins after a restart): its row says alive with its slots, and its
 * free slots are recounted from the tasks the catalog says it holds, so a crash between
 * an assignment and its bookkeeping cannot leak or double-count slots.
 */
export async function registerAgent(tx: CatalogAccess, agent: AgentRegistration, now: number): Promise<void> {
  const held = (await tx.select('tasks', { agent_id: agent.agentId })).filter((t) => HOLDING.includes(t.state as string)).length;
  const row = {
    host: agent.host, port: agent.port, status: 'alive', max_workers: agent.slots,
    available_slots: Math.max(0, agent.slots - held), last_heartbeat: now,
  };
  const inserted = await tx.insert('agents', { agent_id: agent.agentId, ...row, registered_at: now });
  if (!inserted) await tx.update('agents', { agent_id: agent.agentId }, row);
}
