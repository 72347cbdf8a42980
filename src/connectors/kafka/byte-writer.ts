/** A growing byte buffer the encoders write into; `bytes` may be replaced as it grows. */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  copy(src: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    copyBytes(src, start, end, this.bytes, this.length);
    this.length += end - start;
  }

  /** ASCII text (numbers, literals, formatted dates). */
  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i);
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
  }

  clear(): void {
    this.length = 0;
  }
}

const encoder = new TextEncoder();

/** Copies a byte range; short ones (most values) byte by byte, cheaper than a subarray view. */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  if (end - start > 64) { dst.set(src.subarray(start, end), at); return; }
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
}
