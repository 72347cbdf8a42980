import type { JobGraph } from '../../plan/job-graph.js';

/**
 * One rewrite of the job graph, after the logical rules: how operators become tasks and
 * how rows cross between them. Returns a new graph (the input left as it was).
 */
export interface GraphRule {
  name: string;
  apply(graph: JobGraph): JobGraph;
}

/** Operators that keep state per key: their input edges are hash exchanges on that key. */
export const KEYED_OPERATORS: ReadonlySet<string> = new Set(['aggregate', 'join', 'top-n']);

/** Operators that take a batch and give a batch, with no state: they run chained in the task before them. */
export const CHAINABLE_OPERATORS: ReadonlySet<string> = new Set(['filter', 'project', 'flat-map', 'window', 'map']);
