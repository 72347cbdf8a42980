import { grown } from './accumulators/accumulator.js';

/** The groups of an updating aggregate changed since the last flush, each once, in the order they first changed. */
export class ChangedGroups {
  private marked = new Uint8Array(16);
  private list: number[] = [];

  mark(group: number): void {
    if (group >= this.marked.length) this.marked = grown(this.marked, group + 1);
    if (this.marked[group] === 1) return;
    this.marked[group] = 1;
    this.list.push(group);
  }

  /** The changed groups, forgotten for the next flush. */
  take(): Int32Array {
    const groups = Int32Array.from(this.list);
    for (const g of this.list) this.marked[g] = 0;
    this.list = [];
    return groups;
  }
}
