/**
 * Sabot's TypeScript API. `JobManager` submits job graphs to the durable control plane
 * (SQLite by itself, PostgreSQL with `dbosUrl`) and reports on them. `App` and `Stream`
 * define dataflows in TypeScript (the same operator DAG as SQL); `compute` holds the
 * vectorized functions batch functions use.
 */
export { JobManager, type JobManagerOptions, type JobStatus } from '../control/job-manager.js';
export { JOB_GRAPH_VERSION, type JobGraph, type JobGraphEdge, type JobGraphOperator, type EdgeType } from '../plan/job-graph.js';
export { SabotError } from '../errors.js';
export { App, Dataflow, DataflowJob, type AppOptions, type DataflowBuilder, type DataflowOptions, type StartOptions } from './app.js';
export { Stream, KeyedStream, DataflowSink, type NexmarkOptions, type WindowOptions } from './stream.js';
export type { FilterFunction, MapFunction, FlatMapFunction, RecordFunction } from '../runtime/user-function.js';
export * as compute from '../runtime/compute/index.js';
