import type { FileHandle } from 'node:fs/promises';

/**
 * A window of a file held in memory, for walking the frames of a segment: `load(pos, len)`
 * makes bytes [pos, pos + len) available, reading a new chunk (at least `chunkSize`
 * bytes, starting at `pos`) only when they are not already in the window. Each chunk is
 * a fresh ArrayBuffer, so a chunk that starts at an 8-byte aligned file position keeps
 * every frame body 8-byte aligned in memory, and batches decoded from it (which are views
 * into it) stay valid after the window moves on.
 */
export class FileWindow {
  private buf = new Uint8Array(0);
  private dv = new DataView(this.buf.buffer);
  private start = 0;

  constructor(private readonly fh: FileHandle, private readonly chunkSize: number) {}

  /**
   * Loads [pos, pos + len), never reading at or past `limit`. Returns false when the range
   * passes `limit` or the file ends before it.
   */
  async load(pos: number, len: number, limit: number): Promise<boolean> {
    if (pos + len > limit) return false;
    if (pos >= this.start && pos + len <= this.start + this.buf.length) return true;
    const size = Math.min(Math.max(this.chunkSize, len), limit - pos);
    // A buffer of its own (not from Buffer's pool: offset 0, so aligned), not zero-filled.
    const buf = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await this.fh.read(buf, got, size - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < len) return false;
    this.buf = got < size ? buf.subarray(0, got) : buf;
    this.dv = new DataView(buf.buffer, 0, got);
    this.start = pos;
    return true;
  }

  /** A view of [pos, pos + len), which must have been loaded. */
  bytes(pos: number, len: number): Uint8Array {
    const at = pos - this.start;
    return this.buf.subarray(at, at + len);
  }

  /** The DataView over the window and the index in it of file position `pos`. */
  view(pos: number): [DataView, number] {
    return [this.dv, pos - this.start];
  }
}
