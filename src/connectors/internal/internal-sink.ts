import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { SinkConnector, SinkWriter } from '../connector.js';
import type { InternalStreams } from './internal-streams.js';

/**
 * Writing into an internal stream's log (or a dataflow's kept result): one durable append
 * per write, tagged with its writer so a restart can tell whether it happened.
 */
export function internalSink(streams: InternalStreams): SinkConnector {
  return {
    async open(stream: StreamDefinition): Promise<SinkWriter> {
      const log = await streams.log(stream);
      return {
        async write(batches: readonly RecordBatch[], writer = 0) {
          const nonEmpty = batches.filter((b) => b.numRows > 0);
          if (nonEmpty.length > 0) await log.append(nonEmpty, writer);
        },
        transactional: {
          mark: async () => log.end.toString(),
          wroteSince: async (mark, writer) => (await log.appendsSince(BigInt(mark))).some((a) => a.writer === writer),
        },
        async close() {},
      };
    },
  };
}
