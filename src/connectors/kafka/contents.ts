import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { describeKafkaError, KafkaClient } from './client.js';
import { readRecords } from './record-batch-reader.js';
import { RecordDecoder } from './record-decoder.js';
import { kafkaOptions } from './stream-options.js';

const BATCH_ROWS = 32_768;
const FETCH = { maxWaitMs: 0, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20 };

/**
 * What `SELECT ... FROM kafka_stream` reads: the topic's records from the earliest
 * offset of each partition up to its end offset as of the call, partition after
 * partition, as batches of `columns`; at most `limit` rows when a limit is given.
 * Records that do not decode are left out. A missing topic has no rows.
 */
export async function readKafkaContents(stream: StreamDefinition, columns: ColumnSchema[], limit?: number | null): Promise<RecordBatch[]> {
  const options = kafkaOptions(stream);
  const client = new KafkaClient(options.bootstrapServers);
  const decoder = new RecordDecoder(stream, options, columns);
  const out: RecordBatch[] = [];
  let rows = 0;
  const wanted = limit ?? Infinity;
  try {
    const layout = await client.topic(options.topic, true);
    if (!layout) return [];
    const partitions = layout.leaders.map((_, p) => p);
    const [starts, ends] = await Promise.all([client.offsets(options.topic, partitions, 'earliest'),
      client.offsets(options.topic, partitions, 'latest')]);
    for (const p of partitions) {
      let at = Number(starts.get(p));
      const end = Number(ends.get(p));
      while (at < end && rows + decoder.size < wanted) {
        const [part] = await client.fetch(layout, layout.leaders[p]!, [{ partition: p, offset: BigInt(at) }], FETCH);
        if (!part || part.error) throw new Error(`reading partition ${p}: ${part?.error ?? 'no answer'}`);
        if (!part.records) break;
        const next = readRecords(part.records, at, (bytes, ks, ke, vs, ve, offset, ts) => {
          if (offset < end && rows + decoder.size < wanted) decoder.add(p, bytes, ks, ke, vs, ve, offset, ts);
        });
        if (next <= at) break;
        at = next;
        if (decoder.size >= BATCH_ROWS) { rows += decoder.size; out.push(decoder.take().batch); }
      }
    }
    if (decoder.size > 0) out.push(decoder.take().batch);
    return out;
  } catch (err) {
    if (err instanceof SabotError) throw err;
    throw new SabotError(SqlState.connectionException,
      `cannot read Kafka topic ${options.topic} at ${options.bootstrapServers}: ${describeKafkaError(err)}`);
  } finally {
    await client.close();
  }
}
