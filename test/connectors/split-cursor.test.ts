import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SplitCursor } from '../../src/connectors/split-cursor.js';

const CHUNK = 10n;

/** The units [0, end) split `split` of `splits` reads from its start position, one unit at a time. */
function readAll(position: unknown, split: number, splits: number, end: bigint): bigint[] {
  const { cursor, at } = SplitCursor.open(position, CHUNK, split, splits);
  const read: bigint[] = [];
  for (let u = at; u < end; u = cursor.next(u + 1n)) read.push(u);
  return read;
}

/** What split `split` of `splits` has consumed when it stopped at `position` (a plain number). */
function consumed(position: bigint, split: number, splits: number): bigint[] {
  return readAll(null, split, splits, position);
}

let seed = 7;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

test('splits of one layout read every unit once', () => {
  for (const splits of [1, 2, 3, 5]) {
    const all = Array.from({ length: splits }, (_, i) => readAll(null, i, splits, 97n)).flat().sort((a, b) => Number(a - b));
    assert.deepEqual(all, Array.from({ length: 97 }, (_, i) => BigInt(i)));
  }
});

test('after a rescale, the new splits read exactly what the old ones had not: nothing twice, nothing skipped', () => {
  const end = 300n;
  for (let round = 0; round < 200; round++) {
    const oldSplits = 1 + random(4);
    const newSplits = 1 + random(4);
    // Each old split stopped somewhere: at a unit of its own (or past the end of what it saw).
    const positions = Array.from({ length: oldSplits }, (_, i) => {
      const own = readAll(null, i, oldSplits, end);
      return own.length === 0 ? 0n : own[random(own.length)]!;
    });
    const before = positions.flatMap((p, i) => consumed(p, i, oldSplits));
    const rescaled = { rescaled: { splits: oldSplits, positions: positions.map(String) } };
    const after = Array.from({ length: newSplits }, (_, j) => readAll(rescaled, j, newSplits, end)).flat();
    const all = [...before, ...after].sort((a, b) => Number(a - b));
    assert.deepEqual(all, Array.from({ length: Number(end) }, (_, i) => BigInt(i)), `${oldSplits} -> ${newSplits} splits from ${positions.join(', ')}`);
  }
});

test('a rescaled position stays marked until the split is past every old position, then is a plain number again', () => {
  // Two old splits: split 0 (chunks 0, 2, ...) stopped at 25, split 1 (chunks 1, 3, ...) at 13.
  const rescaled = { rescaled: { splits: 2, positions: ['25', '13'] } };
  const { cursor, at } = SplitCursor.open(rescaled, CHUNK, 0, 1);
  assert.equal(at, 13n, 'chunk 0 was read whole, chunk 1 up to 13');
  assert.deepEqual(cursor.position(at), { next: '13', ...rescaled });
  assert.equal(cursor.next(20n), 25n, 'chunk 2 was read up to 25');
  assert.equal(cursor.position(25n), '25');
  assert.equal(cursor.limit(13n), 20n, 'reads stop at chunk ends while old positions lie ahead');
  assert.equal(cursor.limit(25n), null);
});
