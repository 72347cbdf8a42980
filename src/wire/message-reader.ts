import { SabotError, SqlState } from '../errors.js';

/**
 * Cuts a byte stream into protocol frames. Chunks are appended as they arrive; `next`
 * returns one complete frame at a time, or null when the rest has not arrived yet. A
 * frame's body is a view into the buffer, valid until the next `push`.
 */
export class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  push(chunk: Buffer): void {
    if (this.offset >= this.buffer.length) {
      this.buffer = chunk;
    } else {
      this.buffer = Buffer.concat([this.buffer.subarray(this.offset), chunk]);
    }
    this.offset = 0;
  }

  /** A startup-phase frame: int32 length (itself included), then the body. */
  nextUntyped(maxLength: number): Buffer | null {
    if (this.buffered < 4) return null;
    const length = this.buffer.readInt32BE(this.offset);
    if (length < 8 || length > maxLength) {
      throw new SabotError(SqlState.protocolViolation, `invalid length of startup packet: ${length}`);
    }
    if (this.buffered < length) return null;
    const body = this.buffer.subarray(this.offset + 4, this.offset + length);
    this.offset += length;
    return body;
  }

  /** A regular frame: type byte, int32 length (itself included), then the body. */
  nextTyped(maxLength: number): { type: number; body: Buffer } | null {
    if (this.buffered < 5) return null;
    const type = this.buffer[this.offset]!;
    const length = this.buffer.readInt32BE(this.offset + 1);
    if (length < 4 || length > maxLength) {
      throw new SabotError(SqlState.protocolViolation,
        `invalid message length ${length} for message type "${printable(type)}"`);
    }
    if (this.buffered < length + 1) return null;
    const body = this.buffer.subarray(this.offset + 5, this.offset + 1 + length);
    this.offset += length + 1;
    return { type, body };
  }
}

export function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
}
