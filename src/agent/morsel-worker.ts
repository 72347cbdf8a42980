/**
 * A worker thread of a morsel pool (morsel-pool.ts). It compiles a prepared chain when a
 * run first needs it. For each run it claims morsels (morsels/morsel-claims.ts) until none
 * is left, runs the chain over a view of each morsel's rows in the shared input, holds
 * the outputs and reports their shapes; then, told where they go, writes them into the
 * run's output batch (runtime/batch-assembly.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { RecordBatch, Schema } from 'apache-arrow';
import { builtinFunctions } from '../functions/builtins.js';
import { arrowSchema } from '../runtime/arrow-types.js';
import { placePart } from '../runtime/batch-assembly.js';
import { readPackedBatch, shapeOf } from '../runtime/batch-transfer.js';
import { compileChain, dataflowEvalContext, runChain, type OperatorChain } from '../runtime/operator-chain.js';
import { cancelMorsels, claimMorsel } from './morsels/morsel-claims.js';
import { columnsFromJson, errorToJson, type FromWorker, type MorselRan, type ToWorker } from './morsels/morsel-messages.js';

const port = parentPort!;
const functions = builtinFunctions();
const signal = new AbortController().signal;
const prepared = new Map<number, Extract<ToWorker, { kind: 'prepare' }>>();
const compiled = new Map<number, { chain: OperatorChain; input: Schema }>();
/** Outputs by run, by morsel, until they are placed. */
const held = new Map<number, Map<number, RecordBatch>>();

function chainOf(id: number): { chain: OperatorChain; input: Schema } {
  let c = compiled.get(id);
  if (c === undefined) {
    const spec = prepared.get(id);
    if (spec === undefined) throw new Error(`morsel worker: chain ${id} was not prepared`);
    const input = columnsFromJson(spec.input);
    c = { chain: compileChain(spec.operators, input, functions, dataflowEvalContext(signal, spec.startedAt)), input: arrowSchema(input) };
    compiled.set(id, c);
  }
  return c;
}

const send = (m: FromWorker): void => port.postMessage(m);

function run(m: Extract<ToWorker, { kind: 'run' }>): void {
  const ranges = new Uint32Array(m.claims);
  const ran: MorselRan[] = [];
  const outputs = new Map<number, RecordBatch>();
  try {
    const { chain, input } = chainOf(m.chain);
    for (let morsel = claimMorsel(ranges, m.thread); morsel >= 0; morsel = claimMorsel(ranges, m.thread)) {
      const from = (morsel - m.firstMorsel) * m.morselRows;
      const { batch, rejected } = runChain(chain, readPackedBatch(input, m.input, 0, m.layout, from, Math.min(m.layout.rows, from + m.morselRows)));
      // Without rows a batch may have the columns of an earlier stage: nothing to hold.
      const shape = batch.numRows > 0 ? shapeOf(batch) : { rows: 0, nullCounts: [], varBytes: [] };
      if (batch.numRows > 0) outputs.set(morsel, batch);
      ran.push({ morsel, shape, rejected });
    }
  } catch (err) {
    cancelMorsels(ranges);
    send({ kind: 'failed', run: m.run, error: errorToJson(err) });
    return;
  }
  if (outputs.size > 0) held.set(m.run, outputs);
  if (ran.length > 0) send({ kind: 'ran', run: m.run, morsels: ran });
}

function place(m: Extract<ToWorker, { kind: 'place' }>): void {
  const outputs = held.get(m.run);
  held.delete(m.run);
  try {
    for (const { morsel, place } of m.places) placePart(outputs!.get(morsel)!, m.target, m.layout, place);
  } catch (err) {
    send({ kind: 'failed', run: m.run, error: errorToJson(err) });
    return;
  }
  send({ kind: 'placed', run: m.run });
}

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'prepare': prepared.set(m.chain, m); break;
    case 'release': prepared.delete(m.chain); compiled.delete(m.chain); break;
    case 'run': run(m); break;
    case 'place': place(m); break;
    case 'forget': held.delete(m.run); break;
  }
});
