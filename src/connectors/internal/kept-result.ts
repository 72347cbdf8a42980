import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import { operatorColumns } from '../../runtime/operator-chain.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';

/**
 * The kept result of `CREATE DATAFLOW name AS SELECT ...`: a log like an internal
 * stream's (connector 'result', kept apart from streams), which `SELECT ... FROM name`
 * reads and DROP DATAFLOW removes. An updating result (an unwindowed GROUP BY) names its
 * key columns in the option `upsert_keys`: a later row replaces the earlier one with the
 * same key, so SELECT reads the last row per key.
 */
export function keptResult(dataflow: string, columns: ColumnSchema[], upsertKeys: readonly number[] | null = null): StreamDefinition {
  const options: Record<string, string> = upsertKeys === null ? {} : { upsert_keys: JSON.stringify(upsertKeys.map((k) => columns[k]!.name)) };
  return { name: dataflow, connector: 'result', options, columns, watermark: null };
}

/** The kept result a dataflow's sink operator (stream null) writes. */
export function keptResultOfSink(dataflow: string, sink: JobGraphOperator): StreamDefinition {
  return keptResult(dataflow, operatorColumns(sink), (sink.params!.upsertKeys as number[] | null | undefined) ?? null);
}

/** The key columns of an updating stream or result, by name; null when rows are only appended. */
export function upsertKeysOf(stream: StreamDefinition): string[] | null {
  const keys = stream.options.upsert_keys;
  return keys === undefined ? null : JSON.parse(keys) as string[];
}
