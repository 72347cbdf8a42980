import { SabotError, SqlState } from '../errors.js';
import type { JobGraph, JobGraphOperator } from '../plan/job-graph.js';

/**
 * One path of a job's operator DAG from a source to the sink: the stateless operators on
 * it (UNION ALL only merges paths, so it drops out) run chained in the source's tasks.
 */
export interface PipelinePath {
  source: JobGraphOperator;
  /** Filters and projections between the source and the sink, in order. */
  chain: JobGraphOperator[];
  /** Every operator between the source and the sink (the chain and any UNION ALL), in order. */
  through: JobGraphOperator[];
  sink: JobGraphOperator;
}

const CHAINABLE = new Set(['filter', 'project', 'flat-map']);

function unsupported(what: string): SabotError {
  return new SabotError(SqlState.featureNotSupported, `dataflows with ${what} cannot run yet`,
    { hint: 'Dataflows that read streams, filter, project, UNION ALL, and write into a stream or keep their result run now.' });
}

/**
 * The paths of a job graph, one per source. Every operator runs at the job's parallelism:
 * split i of each source feeds task i of every operator after it (forward edges).
 */
export function pipelinePaths(graph: JobGraph): PipelinePath[] {
  const byId = new Map(graph.operators.map((o) => [o.id, o]));
  const next = new Map<string, string[]>();
  for (const e of graph.edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const parallelism = graph.parallelism ?? 1;
  for (const op of graph.operators) {
    if ((op.parallelism ?? parallelism) !== parallelism) throw unsupported('operators at different parallelism');
    if (op.type !== 'source' && op.type !== 'sink' && op.type !== 'union' && !CHAINABLE.has(op.type)) throw unsupported(`a ${op.type} operator`);
  }
  const sinks = graph.operators.filter((o) => o.type === 'sink');
  if (sinks.length !== 1) throw unsupported(`${sinks.length} sinks`);
  return graph.operators.filter((o) => o.type === 'source').map((source) => {
    const through: JobGraphOperator[] = [];
    let op = source;
    for (;;) {
      const outs = next.get(op.id) ?? [];
      if (outs.length !== 1) throw unsupported(`operator ${op.id} feeding ${outs.length} operators`);
      op = byId.get(outs[0]!)!;
      if (op.type === 'sink') return { source, chain: through.filter((o) => CHAINABLE.has(o.type)), through, sink: op };
      through.push(op);
    }
  });
}
