import { SabotError, SqlState } from '../errors.js';
import { CHAINABLE_OPERATORS, KEYED_OPERATORS } from '../optimizer/physical/graph-rule.js';
import type { JobGraph, JobGraphEdge, JobGraphOperator } from '../plan/job-graph.js';

/** Where a segment's rows go: into the job's sink, or across an exchange into a keyed operator's input. */
export type SegmentOutput =
  | { kind: 'sink'; sink: JobGraphOperator }
  | { kind: 'exchange'; to: JobGraphOperator; input: number; edge: JobGraphEdge };

/**
 * The operators one task runs in a row: a head (a source, or a keyed stateful operator),
 * the stateless operators chained after it, and where their output goes. UNION ALL only
 * merges segments (each of its inputs runs the operators after it), so it drops out.
 */
export interface Segment {
  head: JobGraphOperator;
  /** The chained stateless operators, in order. */
  chain: JobGraphOperator[];
  /** Every operator after the head up to the output (the chain and any UNION ALL), in order. */
  through: JobGraphOperator[];
  output: SegmentOutput;
}

function unsupported(what: string): SabotError {
  return new SabotError(SqlState.featureNotSupported, `dataflows with ${what} cannot run yet`);
}

export function parallelismOf(graph: JobGraph, op: JobGraphOperator): number {
  return op.parallelism ?? graph.parallelism ?? 1;
}

/** The segments of a job graph, one per source and one per keyed operator. */
export function jobSegments(graph: JobGraph): Segment[] {
  const byId = new Map(graph.operators.map((o) => [o.id, o]));
  const next = new Map<string, JobGraphEdge[]>();
  for (const e of graph.edges) next.set(e.from, [...(next.get(e.from) ?? []), e]);
  for (const op of graph.operators) {
    const known = op.type === 'source' || op.type === 'sink' || op.type === 'union' || CHAINABLE_OPERATORS.has(op.type) || KEYED_OPERATORS.has(op.type);
    if (!known) throw unsupported(`a ${op.type} operator`);
  }
  const sinks = graph.operators.filter((o) => o.type === 'sink');
  if (sinks.length !== 1) throw unsupported(`${sinks.length} sinks`);
  const heads = graph.operators.filter((o) => o.type === 'source' || KEYED_OPERATORS.has(o.type));
  return heads.map((head) => {
    const through: JobGraphOperator[] = [];
    let op = head;
    for (;;) {
      const outs = next.get(op.id) ?? [];
      if (outs.length !== 1) throw unsupported(`operator ${op.id} feeding ${outs.length} operators`);
      const edge = outs[0]!;
      const to = byId.get(edge.to)!;
      if (to.type === 'sink' || KEYED_OPERATORS.has(to.type)) {
        if (through.some((o) => parallelismOf(graph, o) !== parallelismOf(graph, head)) || (to.type === 'sink' && parallelismOf(graph, to) !== parallelismOf(graph, head))) {
          throw unsupported('stateless operators at another parallelism than the task before them');
        }
        const chain = through.filter((o) => CHAINABLE_OPERATORS.has(o.type));
        const output: SegmentOutput = to.type === 'sink' ? { kind: 'sink', sink: to } : { kind: 'exchange', to, input: edge.input ?? 0, edge };
        return { head, chain, through, output };
      }
      through.push(to);
      op = to;
    }
  });
}
