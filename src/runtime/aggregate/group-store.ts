import type { Accumulator } from './accumulators/accumulator.js';

/**
 * Groups of aggregate states: a group is an index into every accumulator's arrays.
 * Released groups are reused by later ones, so the arrays stay as large as the most
 * groups alive at once.
 */
export class GroupStore {
  readonly accumulators: Accumulator[];
  private capacity = 0;
  private highWater = 0;
  private readonly free: number[] = [];

  constructor(factories: readonly (() => Accumulator)[]) {
    this.accumulators = factories.map((f) => f());
  }

  /** Groups alive. */
  get size(): number {
    return this.highWater - this.free.length;
  }

  /** A new, empty group. */
  allocate(): number {
    const g = this.free.length > 0 ? this.free.pop()! : this.highWater++;
    if (g >= this.capacity) {
      this.capacity = Math.max(16, g + 1, this.capacity * 2);
      for (const a of this.accumulators) a.grow(this.capacity);
    }
    for (const a of this.accumulators) a.reset(g);
    return g;
  }

  release(g: number): void {
    this.free.push(g);
  }

  /** Releases every group. */
  clear(): void {
    this.highWater = 0;
    this.free.length = 0;
  }
}
