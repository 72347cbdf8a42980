import type { RecordBatch } from 'apache-arrow';
import { runChain } from '../runtime/operator-chain.js';
import type { MorselPool, PreparedChain } from './morsel-pool.js';
import type { ChainRunner } from './pipeline.js';

/**
 * Moving a batch to worker threads and back costs about 15 ns a row on the calling
 * thread (bench/morsels.ts: a filter + projection that runs at 90 M rows/s inline ran at
 * 51 M rows/s over a worker and the caller). Two threads win only when the chain costs
 * more than about twice that per row; below, a batch stays on the calling thread.
 */
export const PARALLEL_ABOVE_NS_PER_ROW = 40;
/** Batches timed inline before a chain may go to the pool, and how often it is timed again there. */
const PROBES = 3;
const REPROBE_EVERY = 16;

/**
 * Runs a chain's batches inline while that is cheap, and its large batches (over a
 * morsel) over the morsel pool once inline timing shows the work per row outweighs
 * moving the batch; a large batch is timed inline now and then, so a chain whose cost
 * changes (other data, other strings) finds its way back.
 */
export function adaptiveChainRunner(pool: MorselPool, chain: PreparedChain, parallelAboveNsPerRow = PARALLEL_ABOVE_NS_PER_ROW): ChainRunner {
  let nsPerRow = 0;
  let probes = 0;
  let large = 0;
  return (batch: RecordBatch) => {
    const isLarge = batch.numRows > pool.morselRows;
    if (isLarge && probes >= PROBES && nsPerRow > parallelAboveNsPerRow && ++large % REPROBE_EVERY !== 0) return pool.run(chain, batch);
    const started = process.hrtime.bigint();
    const result = runChain(chain.chain, batch);
    if (isLarge) {
      const ns = Number(process.hrtime.bigint() - started) / batch.numRows;
      nsPerRow = probes === 0 ? ns : nsPerRow * 0.7 + ns * 0.3;
      probes++;
    }
    return result;
  };
}
