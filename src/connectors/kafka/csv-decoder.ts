import { ByteWriter } from './byte-writer.js';
import { RecordError, type ColumnDecoder } from './column-decoder.js';

/**
 * Decodes CSV records (RFC 4180, one record per message) into columns. The fields are
 * the stream's payload columns in order; `fields[i]` is the decoder of field i, or null
 * when the plan does not use that column. An empty unquoted field is NULL, `""` an
 * empty string, as in Postgres's COPY ... CSV.
 */
export class CsvDecoder {
  private readonly scratch = new ByteWriter(256);

  constructor(private readonly fields: (ColumnDecoder | null)[]) {}

  decode(bytes: Uint8Array, start: number, end: number): void {
    if (end > start && bytes[end - 1] === 10) end--; // a trailing line break is not part of the last field
    if (end > start && bytes[end - 1] === 13) end--;
    try {
      this.fieldsOf(bytes, start, end);
    } catch (err) {
      // A line with the wrong number of fields says so, whatever field failed first.
      const fields = this.countFields(bytes, start, end);
      if (fields !== this.fields.length) throw new RecordError(`the record has ${fields} fields, the stream has ${this.fields.length} columns`);
      throw err;
    }
  }

  private fieldsOf(bytes: Uint8Array, start: number, end: number): void {
    let pos = start;
    let field = 0;
    for (;;) {
      if (field >= this.fields.length) throw new RecordError('too many fields');
      const decoder = this.fields[field];
      if (pos < end && bytes[pos] === 34) { // "
        const out = this.scratch;
        out.clear();
        let i = pos + 1;
        let from = i;
        for (;;) {
          if (i >= end) throw new RecordError(`invalid CSV: field ${field + 1} has no closing quote`);
          if (bytes[i] === 34) {
            if (i + 1 < end && bytes[i + 1] === 34) { out.copy(bytes, from, i + 1); i += 2; from = i; continue; }
            break;
          }
          i++;
        }
        if (decoder) {
          if (out.length === 0) decoder.text(bytes, from, i);
          else { out.copy(bytes, from, i); decoder.text(out.bytes, 0, out.length); }
        }
        pos = i + 1;
        if (pos < end && bytes[pos] !== 44) throw new RecordError(`invalid CSV: a character after the closing quote of field ${field + 1}`);
      } else {
        let i = pos;
        while (i < end && bytes[i] !== 44) i++;
        if (decoder) {
          if (i === pos) decoder.null();
          else decoder.text(bytes, pos, i);
        }
        pos = i;
      }
      field++;
      if (pos >= end) break;
      pos++; // the comma
    }
    if (field !== this.fields.length) throw new RecordError('too few fields');
  }

  private countFields(bytes: Uint8Array, start: number, end: number): number {
    let fields = 1;
    let quoted = false;
    for (let i = start; i < end; i++) {
      if (bytes[i] === 34) quoted = !quoted;
      else if (bytes[i] === 44 && !quoted) fields++;
    }
    return fields;
  }
}
