/**
 * Where a split of a sequential source (the rows of an internal stream's log, the events
 * of a Nexmark run) reads next. The sequence is cut into chunks; split i of n owns the
 * chunks c with c % n == i (one split owns everything, in order). After a rescale
 * (ALTER DATAFLOW ... SET PARALLELISM) the splits of the old layout may have stopped at
 * different places: each owned a prefix of each of its chunks. A new split then skips what
 * the old splits consumed, until it is past all of it; only then is its position a plain
 * number again. So a rescale neither loses nor repeats input.
 */

/** The positions of the old splits, in split order, when the source was rescaled. */
export interface Rescaled {
  splits: number;
  positions: bigint[];
}

/** A split's recorded position: a plain unit number, or one that still carries the old layout. */
export type CursorPosition = string | { next?: string; rescaled: { splits: number; positions: (string | null)[] } };

/**
 * Where what an old split consumed ends. A split that finished a chunk moved its position
 * on to the start of its next chunk, past other splits' chunks it never read: its last
 * row read is the end of the chunk before.
 */
function consumedEnd(position: bigint, splits: number, chunk: bigint): bigint {
  if (splits === 1 || position === 0n || position % chunk !== 0n) return position;
  return position - BigInt(splits - 1) * chunk;
}

export class SplitCursor {
  private readonly legacyEnd: bigint;

  constructor(private readonly chunk: bigint, private readonly split: bigint, private readonly splits: bigint,
    private readonly legacy: Rescaled | null) {
    this.legacyEnd = legacy ? legacy.positions.map((p) => consumedEnd(p, legacy.splits, chunk)).reduce((a, b) => (b > a ? b : a), 0n) : 0n;
  }

  /** The cursor and start of a split opened at `position` (null: the beginning). */
  static open(position: unknown, chunk: bigint, split: number, splits: number): { cursor: SplitCursor; at: bigint } {
    let at = 0n;
    let legacy: Rescaled | null = null;
    if (typeof position === 'string' || typeof position === 'number') {
      at = BigInt(position);
    } else if (position !== null && typeof position === 'object' && 'rescaled' in position) {
      const p = position as Exclude<CursorPosition, string>;
      at = BigInt(p.next ?? '0');
      // An old split that never recorded a position had consumed nothing.
      legacy = { splits: p.rescaled.splits, positions: p.rescaled.positions.map((x) => BigInt(x ?? '0')) };
    }
    const cursor = new SplitCursor(chunk, BigInt(split), BigInt(splits), legacy);
    return { cursor, at: cursor.next(at) };
  }

  /** The first unit at or after `at` that this split owns and no old split consumed. */
  next(at: bigint): bigint {
    for (;;) {
      const own = this.own(at);
      const free = this.skipConsumed(own);
      if (free === own) return own;
      at = free;
    }
  }

  /** Where a read starting at `at` must stop: the end of its chunk, or null when the rest of the sequence is this split's. */
  limit(at: bigint): bigint | null {
    if (this.splits === 1n && at >= this.legacyEnd) return null;
    return (at / this.chunk + 1n) * this.chunk;
  }

  /** The position to record for a split that reads on at `at`. */
  position(at: bigint): CursorPosition {
    if (this.legacy === null || at >= this.legacyEnd) return at.toString();
    return { next: at.toString(), rescaled: { splits: this.legacy.splits, positions: this.legacy.positions.map(String) } };
  }

  private own(at: bigint): bigint {
    if (this.splits === 1n) return at;
    const c = at / this.chunk;
    const ahead = ((this.split - (c % this.splits)) % this.splits + this.splits) % this.splits;
    return ahead === 0n ? at : (c + ahead) * this.chunk;
  }

  /** The end of the consumed stretch `at` lies in, or `at` itself when nobody consumed it. */
  private skipConsumed(at: bigint): bigint {
    const legacy = this.legacy;
    if (legacy === null || at >= this.legacyEnd) return at;
    if (legacy.splits === 1) return at < legacy.positions[0]! ? legacy.positions[0]! : at;
    const c = at / this.chunk;
    const start = c * this.chunk;
    const stoppedAt = legacy.positions[Number(c % BigInt(legacy.splits))]!;
    const consumedEnd = stoppedAt > start ? (stoppedAt < start + this.chunk ? stoppedAt : start + this.chunk) : start;
    return at < consumedEnd ? consumedEnd : at;
  }
}
