/**
 * When kept rows expire: each chunk's rows sorted by their deadline once (they mostly
 * arrive sorted already), and the chunks in a min-heap by their next deadline, so a
 * watermark visits just the rows it expires, each once.
 */

interface Expiring {
  slot: number;
  deadlines: Float64Array;
  /** The chunk's rows to expire, by deadline. */
  order: Int32Array;
  next: number;
}

export class ExpiryQueue {
  private readonly heap: Expiring[] = [];

  /** `strict`: a row expires once the watermark is past its deadline, else once the watermark reaches it. */
  constructor(private readonly strict: boolean) {}

  /** Rows `rows` of the chunk in `slot` expire at deadlines[row]. */
  add(slot: number, rows: Int32Array, deadlines: Float64Array): void {
    if (rows.length === 0) return;
    let sorted = true;
    for (let k = 1; k < rows.length && sorted; k++) sorted = deadlines[rows[k - 1]!]! <= deadlines[rows[k]!]!;
    if (!sorted) rows.sort((a, b) => deadlines[a]! - deadlines[b]!);
    this.push({ slot, deadlines, order: rows, next: 0 });
  }

  /** Calls expire(slot, row) for every row whose deadline the watermark passes (every row at Infinity). */
  expire(watermark: number, expire: (slot: number, row: number) => void): void {
    const due = (d: number) => watermark === Infinity || (this.strict ? watermark > d : watermark >= d);
    while (this.heap.length > 0 && due(nextDeadline(this.heap[0]!))) {
      const e = this.pop();
      const { order, deadlines } = e;
      while (e.next < order.length && due(deadlines[order[e.next]!]!)) expire(e.slot, order[e.next++]!);
      if (e.next < order.length) this.push(e);
    }
  }

  private push(e: Expiring): void {
    const h = this.heap;
    let i = h.push(e) - 1;
    const d = nextDeadline(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (nextDeadline(h[parent]!) <= d) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Expiring {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      const d = nextDeadline(last);
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= h.length) break;
        if (c + 1 < h.length && nextDeadline(h[c + 1]!) < nextDeadline(h[c]!)) c++;
        if (nextDeadline(h[c]!) >= d) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function nextDeadline(e: Expiring): number {
  return e.deadlines[e.order[e.next]!]!;
}
