import { ByteWriter } from './byte-writer.js';
import { RecordError, type ColumnDecoder } from './column-decoder.js';

const encoder = new TextEncoder();
const MAX_DEPTH = 256;
/** Field positions whose keys are remembered (records with more fields look the rest up). */
const MAX_KNOWN_FIELDS = 64;

/**
 * Decodes JSON objects into columns, one record at a time, scanning the bytes: the
 * fields of the requested columns go straight to their decoders, the others are
 * checked and skipped, and no JavaScript object is made per record. A field missing
 * from a record is NULL; a repeated field keeps its first value.
 */
export class JsonDecoder {
  private bytes: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  private start = 0;
  private pos = 0;
  private end = 0;
  private escaped = false;
  private readonly names: Uint8Array[];
  private readonly seen: Int32Array;
  private row = 0;
  private readonly scratch = new ByteWriter(256);
  /**
   * Fields usually come in the same order in every record: the key found at each field
   * position of earlier records and its column (-1: not wanted), so a key is known in a
   * comparison or two. A key is kept as the little-endian 32-bit words of its bytes with
   * the closing quote, the last word ending at the quote (it may overlap the one before);
   * keys shorter than 3 bytes and escaped keys are looked up each time.
   */
  private readonly fieldKeys: (Int32Array | undefined)[] = [];
  private readonly fieldKeyLengths: number[] = [];
  private readonly fieldColumns: number[] = [];

  constructor(private readonly columns: ColumnDecoder[]) {
    this.names = columns.map((c) => encoder.encode(c.column.name));
    this.seen = new Int32Array(columns.length).fill(-1);
  }

  /** Appends the record's values to the columns; throws RecordError when it is not a JSON object of fitting values. */
  decode(bytes: Uint8Array, start: number, end: number): void {
    if (bytes !== this.bytes) { // records of one fetched batch share their buffer
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.start = start;
    this.pos = start;
    this.end = end;
    const row = ++this.row;
    this.space();
    if (this.peek() !== 123) throw new RecordError('not a JSON object');
    this.pos++;
    this.space();
    if (this.peek() === 125) this.pos++;
    else {
      for (let field = 0; ; field++) {
        this.space();
        if (this.peek() !== 34) throw this.syntax('a field name');
        const c = this.key(field);
        this.space();
        if (this.peek() !== 58) throw this.syntax('":"');
        this.pos++;
        this.space();
        if (c >= 0 && this.seen[c] !== row) {
          this.seen[c] = row;
          this.value(this.columns[c]!);
        } else {
          this.skip(0);
        }
        this.space();
        const b = this.peek();
        if (b !== 125 && b !== 44) throw this.syntax('"," or "}"');
        this.pos++;
        if (b === 125) break;
      }
    }
    this.space();
    if (this.pos !== this.end) throw this.syntax('the end of the record');
    for (let c = 0; c < this.columns.length; c++) if (this.seen[c] !== row) this.columns[c]!.null();
  }

  /** Moves past the key at pos (its opening quote) and its closing quote; returns its column, or -1. */
  private key(field: number): number {
    const keyStart = ++this.pos;
    const words = this.fieldKeys[field];
    const length = this.fieldKeyLengths[field]!;
    if (words !== undefined && keyStart + length <= this.end) {
      const view = this.view;
      const last = words.length - 1;
      let k = 0;
      while (k < last && view.getInt32(keyStart + 4 * k, true) === words[k]) k++;
      if (k === last && view.getInt32(keyStart + length - 4, true) === words[last]) {
        this.pos = keyStart + length;
        return this.fieldColumns[field]!;
      }
    }
    const keyEnd = this.string();
    if (this.escaped) return this.columnNamed(this.unescape(keyStart, keyEnd));
    const c = this.columnAt(keyStart, keyEnd);
    const found = keyEnd + 1 - keyStart;
    if (field < MAX_KNOWN_FIELDS && found >= 4) {
      const known = new Int32Array(Math.ceil(found / 4));
      for (let k = 0; k < known.length - 1; k++) known[k] = this.view.getInt32(keyStart + 4 * k, true);
      known[known.length - 1] = this.view.getInt32(keyStart + found - 4, true);
      this.fieldKeys[field] = known;
      this.fieldKeyLengths[field] = found;
      this.fieldColumns[field] = c;
    }
    return c;
  }

  private syntax(expected: string): RecordError {
    return new RecordError(this.pos >= this.end ? `invalid JSON: the record ends where ${expected} was expected`
      : `invalid JSON at byte ${this.pos - this.start}: expected ${expected}`);
  }

  /** The byte at pos, or -1 past the record's end (the buffer holds other records after it). */
  private peek(): number {
    return this.pos < this.end ? this.bytes[this.pos]! : -1;
  }

  private space(): void {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    while (pos < end) {
      const b = bytes[pos]!;
      if (b !== 32 && b !== 10 && b !== 13 && b !== 9) break;
      pos++;
    }
    this.pos = pos;
  }

  /** The column whose name is bytes[start, end), or -1. */
  private columnAt(start: number, end: number): number {
    for (let c = 0; c < this.names.length; c++) {
      const name = this.names[c]!;
      if (name.length !== end - start) continue;
      let i = 0;
      while (i < name.length && name[i] === this.bytes[start + i]) i++;
      if (i === name.length) return c;
    }
    return -1;
  }

  private columnNamed(name: Uint8Array): number {
    return this.names.findIndex((n) => n.length === name.length && n.every((b, i) => b === name[i]));
  }

  /** Moves past a string's content (pos just after the opening quote) and its closing quote; returns the content's end. */
  private string(): number {
    const bytes = this.bytes;
    const view = this.view;
    const end = this.end;
    let pos = this.pos;
    let escaped = false;
    for (;;) {
      // Four bytes at a time while none is a quote, a backslash or a control character
      // (zero-byte tests on x ^ 0x22 ("), x ^ 0x5c (\) and x - 0x20 in every byte).
      while (pos + 4 <= end) {
        const x = view.getInt32(pos, true);
        const q = x ^ 0x22222222;
        const s = x ^ 0x5c5c5c5c;
        if ((((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s) | ((x - 0x20202020) & ~x)) & 0x80808080) break;
        pos += 4;
      }
      if (pos >= end) break;
      const b = bytes[pos]!;
      if (b === 34) {
        this.pos = pos + 1;
        this.escaped = escaped;
        return pos;
      }
      if (b === 92) {
        const e = pos + 1 < end ? bytes[pos + 1]! : -1;
        // " \ / b f n r t u
        if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116 && e !== 117) {
          this.pos = pos + 1;
          throw new RecordError(`invalid JSON at byte ${pos + 1 - this.start}: a bad escape in a string`);
        }
        escaped = true;
        pos += 2;
        continue;
      }
      if (b < 32) { this.pos = pos; throw new RecordError(`invalid JSON at byte ${pos - this.start}: a control character in a string`); }
      pos++;
    }
    this.pos = end;
    throw this.syntax('the end of a string');
  }

  /** A string's content with its escapes resolved, as UTF-8. */
  private unescape(start: number, end: number): Uint8Array {
    const out = this.scratch;
    out.clear();
    const bytes = this.bytes;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b !== 92) { out.byte(b); continue; }
      const e = ++i < end ? bytes[i]! : -1;
      switch (e) {
        case 34: case 92: case 47: out.byte(e); break;
        case 98: out.byte(8); break;
        case 102: out.byte(12); break;
        case 110: out.byte(10); break;
        case 114: out.byte(13); break;
        case 116: out.byte(9); break;
        case 117: {
          let code = this.hex4(i + 1);
          i += 4;
          if (code >= 0xd800 && code < 0xdc00 && i + 6 < end && bytes[i + 1] === 92 && bytes[i + 2] === 117) {
            const low = this.hex4(i + 3);
            if (low >= 0xdc00 && low < 0xe000) { code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00); i += 6; }
          }
          out.text(String.fromCodePoint(code));
          break;
        }
        default: throw new RecordError(`invalid JSON at byte ${i - this.start}: a bad escape in a string`);
      }
    }
    return out.bytes.subarray(0, out.length);
  }

  private hex4(at: number): number {
    let v = 0;
    for (let i = at; i < at + 4; i++) {
      const b = i < this.end ? this.bytes[i]! : -1;
      const d = b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;
      if (d < 0) throw new RecordError(`invalid JSON at byte ${at - this.start}: a bad \\u escape`);
      v = v * 16 + d;
    }
    return v;
  }

  /**
   * Moves past a number, checking the JSON grammar; returns its value when it is an
   * integer of up to 15 digits (read on the way, the commonest case), else NaN.
   */
  private number(): number {
    const bytes = this.bytes;
    const end = this.end;
    const negative = this.peek() === 45;
    if (negative) this.pos++;
    let pos = this.pos;
    let v = 0;
    if (pos < end && bytes[pos] === 48) pos++;
    else {
      for (; pos < end; pos++) {
        const d = bytes[pos]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (pos === this.pos) throw this.syntax('a digit');
    }
    let integer = pos - this.pos <= 15;
    this.pos = pos;
    if (this.peek() === 46) { this.pos++; this.digits(); integer = false; }
    const e = this.peek();
    if (e === 101 || e === 69) {
      this.pos++;
      const sign = this.peek();
      if (sign === 43 || sign === 45) this.pos++;
      this.digits();
      integer = false;
    }
    return !integer ? NaN : negative ? -v : v;
  }

  private digits(): void {
    const bytes = this.bytes;
    const end = this.end;
    const from = this.pos;
    let pos = from;
    while (pos < end && bytes[pos]! >= 48 && bytes[pos]! <= 57) pos++;
    if (pos === from) throw this.syntax('a digit');
    this.pos = pos;
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.pos + k >= this.end || this.bytes[this.pos + k] !== word.charCodeAt(k)) throw this.syntax('a JSON value');
    }
    this.pos += word.length;
  }

  /** The value at pos, into the column. */
  private value(column: ColumnDecoder): void {
    const start = this.pos;
    const b = this.peek();
    if (b === 110) { this.literal('null'); column.null(); return; }
    if (column.wantsJsonText) { this.skip(0); column.json(this.bytes, start, this.pos); return; }
    switch (b) {
      case 34: {
        this.pos++;
        const end = this.string();
        if (this.escaped) { const text = this.unescape(start + 1, end); column.text(text, 0, text.length); }
        else column.text(this.bytes, start + 1, end);
        return;
      }
      case 116: this.literal('true'); column.bool(true); return;
      case 102: this.literal('false'); column.bool(false); return;
      case 123: case 91: this.skip(0); column.json(this.bytes, start, this.pos); return;
      default: {
        const v = this.number();
        if (Number.isNaN(v)) column.number(this.bytes, start, this.pos);
        else column.integer(v, this.bytes, start, this.pos);
      }
    }
  }

  /** Moves past any value, checking its grammar. */
  private skip(depth: number): void {
    if (depth > MAX_DEPTH) throw new RecordError('JSON nested too deeply');
    const b = this.peek();
    switch (b) {
      case 34: this.pos++; this.string(); return;
      case 116: this.literal('true'); return;
      case 102: this.literal('false'); return;
      case 110: this.literal('null'); return;
      case 123: case 91: {
        const close = b === 123 ? 125 : 93;
        this.pos++;
        this.space();
        if (this.peek() === close) { this.pos++; return; }
        for (;;) {
          this.space();
          if (b === 123) {
            if (this.peek() !== 34) throw this.syntax('a field name');
            this.pos++;
            this.string();
            this.space();
            if (this.peek() !== 58) throw this.syntax('":"');
            this.pos++;
            this.space();
          }
          this.skip(depth + 1);
          this.space();
          const next = this.peek();
          if (next !== close && next !== 44) throw this.syntax(b === 123 ? '"," or "}"' : '"," or "]"');
          this.pos++;
          if (next === close) return;
        }
      }
      default:
        if (b === 45 || (b >= 48 && b <= 57)) { this.number(); return; }
        throw this.syntax('a JSON value');
    }
  }
}
