import { grown } from '../accumulators/accumulator.js';

/**
 * Per group, how many of its counted numeric values have each display scale. A numeric
 * sum shows the largest scale of the values summed (as Postgres's sum(numeric)); when
 * the values that had it are taken back, it falls back to the largest of the rest.
 * Scales are few, so there is an array of per-group counts for each scale seen.
 */
export class ScaleCounts {
  private readonly scales: number[] = [];
  private readonly slotOf = new Map<number, number>();
  /** Per slot (a scale seen), per group: values of that scale. */
  private counts: Float64Array[] = [];
  private groups = 16;

  grow(groups: number): void {
    this.groups = Math.max(this.groups, groups);
    this.counts = this.counts.map((c) => grown(c, groups));
  }

  add(g: number, scale: number, delta: number): void {
    let slot = this.slotOf.get(scale);
    if (slot === undefined) {
      slot = this.scales.length;
      this.slotOf.set(scale, slot);
      this.scales.push(scale);
      this.counts.push(new Float64Array(this.groups));
    }
    this.counts[slot]![g]! += delta;
  }

  /** The largest scale of group g's values (0 with none). */
  max(g: number): number {
    let best = 0;
    for (let s = 0; s < this.scales.length; s++) {
      if (this.counts[s]![g]! > 0 && this.scales[s]! > best) best = this.scales[s]!;
    }
    return best;
  }
}
