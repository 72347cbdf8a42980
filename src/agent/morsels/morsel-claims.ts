/**
 * Who runs which morsel of a batch, decided without messages: each thread of a run owns a
 * contiguous range of morsel numbers [next, end) in a SharedArrayBuffer, takes morsels
 * from its front, and when its range is empty steals from the back of the fullest other
 * range. A range is one 32-bit word (next in the low 16 bits, end in the high 16) that is
 * changed only by compareExchange, so an owner and a thief can never take the same morsel.
 */

/** Morsels a run can have (next and end are 16-bit). */
export const MAX_MORSELS = 0xffff;

const pack = (next: number, end: number): number => (next | (end << 16)) >>> 0;

/** A SharedArrayBuffer of `threads` ranges splitting morsels first .. morsels - 1 as evenly as possible, in order. */
export function morselClaims(first: number, morsels: number, threads: number): SharedArrayBuffer {
  if (morsels > MAX_MORSELS) throw new Error(`a run has at most ${MAX_MORSELS} morsels, not ${morsels}`);
  const buffer = new SharedArrayBuffer(threads * 4);
  const ranges = new Uint32Array(buffer);
  let next = first;
  for (let t = 0; t < threads; t++) {
    const end = first + Math.round(((t + 1) * (morsels - first)) / threads);
    ranges[t] = pack(next, end);
    next = end;
  }
  return buffer;
}

/** The next morsel for thread `self`: from its own range, else stolen from another's; -1 when none is left. */
export function claimMorsel(ranges: Uint32Array, self: number): number {
  for (;;) {
    const own = Atomics.load(ranges, self);
    const next = own & 0xffff;
    const end = own >>> 16;
    if (next >= end) break;
    if (Atomics.compareExchange(ranges, self, own, pack(next + 1, end)) === own) return next;
  }
  return stealMorsel(ranges);
}

/** A morsel from the back of the fullest range; -1 when none is left. */
export function stealMorsel(ranges: Uint32Array): number {
  for (;;) {
    let victim = -1;
    let word = 0;
    let most = 0;
    for (let t = 0; t < ranges.length; t++) {
      const w = Atomics.load(ranges, t);
      const left = (w >>> 16) - (w & 0xffff);
      if (left > most) {
        most = left;
        victim = t;
        word = w;
      }
    }
    if (victim < 0) return -1;
    const end = word >>> 16;
    if (Atomics.compareExchange(ranges, victim, word, pack(word & 0xffff, end - 1)) === word) return end - 1;
  }
}

/** Empties every range, so no thread starts another morsel of the run (it failed). */
export function cancelMorsels(ranges: Uint32Array): void {
  for (let t = 0; t < ranges.length; t++) Atomics.store(ranges, t, 0);
}
