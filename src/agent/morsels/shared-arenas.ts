/**
 * SharedArrayBuffers reused from run to run, for the packed input of a run and for the
 * assembly of its output. Copying 8 MiB into a new SharedArrayBuffer took 7-35 ms here,
 * into one used before 0.5-1.3 ms: the rest is page faults. A buffer goes back only when
 * no thread can still touch it (a failed run's buffers are dropped instead).
 */

/** Buffers kept while unused: the input and the output of two runs. */
const KEEP = 4;
const MIN_BYTES = 1 << 20;

export class SharedArenas {
  private free: SharedArrayBuffer[] = [];

  /** The smallest kept buffer of at least `bytes` bytes, or a new one (sizes are powers of two, so batches of about the same size share them). */
  take(bytes: number): SharedArrayBuffer {
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    });
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    let size = MIN_BYTES;
    while (size < bytes) size *= 2;
    return new SharedArrayBuffer(size);
  }

  give(buffer: SharedArrayBuffer): void {
    this.free.push(buffer);
    if (this.free.length > KEEP) this.free.shift();
  }

  clear(): void {
    this.free = [];
  }
}
