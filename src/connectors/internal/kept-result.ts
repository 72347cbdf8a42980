import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';

/**
 * The kept result of `CREATE DATAFLOW name AS SELECT ...`: a log like an internal
 * stream's (connector 'result', kept apart from streams), which `SELECT ... FROM name`
 * reads and DROP DATAFLOW removes.
 */
export function keptResult(dataflow: string, columns: ColumnSchema[]): StreamDefinition {
  return { name: dataflow, connector: 'result', options: {}, columns, watermark: null };
}
