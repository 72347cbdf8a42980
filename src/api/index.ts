/**
 * Sabot's TypeScript API. `JobManager` submits job graphs to the durable control plane
 * (SQLite by itself, PostgreSQL with `dbosUrl`) and reports on them.
 */
export { JobManager, type JobManagerOptions, type JobStatus } from '../control/job-manager.js';
export { JOB_GRAPH_VERSION, type JobGraph, type JobGraphEdge, type JobGraphOperator, type EdgeType } from '../plan/job-graph.js';
export { SabotError } from '../errors.js';
