import type { SabotError } from '../errors.js';
import { Auth, Backend, type TransactionStatus } from './protocol.js';

/** A column as RowDescription describes it. */
export interface ColumnDescription {
  name: string;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
  tableOid: number;
  columnNumber: number;
}

/**
 * Encodes backend messages into one growing buffer, so that everything produced while
 * handling a batch of client input goes out in a single socket write.
 */
export class BackendWriter {
  private buf: Buffer;
  private pos = 0;
  /** Start of the message being written, to patch its length. */
  private messageStart = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  /** Hands out what was written and starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(4096);
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private begin(type: number): void {
    this.ensure(5);
    this.messageStart = this.pos;
    this.buf[this.pos] = type;
    this.pos += 5;
  }

  private end(): void {
    this.buf.writeInt32BE(this.pos - this.messageStart - 1, this.messageStart + 1);
  }

  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  private int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  private int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  private cstring(s: string): void {
    // Worst case 3 bytes per UTF-16 unit, plus the terminator.
    this.ensure(s.length * 3 + 1);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
  }

  private bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A single byte answer to SSLRequest / GSSENCRequest (not a framed message). */
  rawByte(v: number): void {
    this.byte(v);
  }

  authentication(code: number, payload?: Buffer): void {
    this.begin(Backend.authentication);
    this.int32(code);
    if (payload) this.bytes(payload);
    this.end();
  }

  authenticationOk(): void {
    this.authentication(Auth.ok);
  }

  /** AuthenticationSASL with the mechanism names the server offers. */
  authenticationSasl(mechanisms: string[]): void {
    this.begin(Backend.authentication);
    this.int32(Auth.sasl);
    for (const m of mechanisms) this.cstring(m);
    this.byte(0);
    this.end();
  }

  parameterStatus(name: string, value: string): void {
    this.begin(Backend.parameterStatus);
    this.cstring(name);
    this.cstring(value);
    this.end();
  }

  backendKeyData(processId: number, secretKey: number): void {
    this.begin(Backend.backendKeyData);
    this.int32(processId);
    this.int32(secretKey);
    this.end();
  }

  negotiateProtocolVersion(minorVersion: number, unsupportedOptions: string[]): void {
    this.begin(Backend.negotiateProtocolVersion);
    this.int32(minorVersion);
    this.int32(unsupportedOptions.length);
    for (const o of unsupportedOptions) this.cstring(o);
    this.end();
  }

  readyForQuery(status: TransactionStatus): void {
    this.begin(Backend.readyForQuery);
    this.byte(status.charCodeAt(0));
    this.end();
  }

  rowDescription(columns: readonly ColumnDescription[], formats: readonly number[]): void {
    this.begin(Backend.rowDescription);
    this.int16(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      this.cstring(c.name);
      this.int32(c.tableOid);
      this.int16(c.columnNumber);
      this.int32(c.typeOid);
      this.int16(c.typeSize);
      this.int32(c.typeModifier);
      this.int16(resultFormat(formats, i));
    }
    this.end();
  }

  /** A DataRow of cells already encoded (null for SQL NULL). */
  dataRow(cells: readonly (Buffer | string | null)[]): void {
    this.begin(Backend.dataRow);
    this.int16(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      if (cell === null || cell === undefined) {
        this.int32(-1);
      } else if (typeof cell === 'string') {
        this.ensure(4 + cell.length * 3);
        const lenAt = this.pos;
        this.pos += 4;
        const n = this.buf.write(cell, this.pos, 'utf8');
        this.buf.writeInt32BE(n, lenAt);
        this.pos += n;
      } else {
        this.int32(cell.length);
        this.bytes(cell);
      }
    }
    this.end();
  }

  commandComplete(tag: string): void {
    this.begin(Backend.commandComplete);
    this.cstring(tag);
    this.end();
  }

  emptyQueryResponse(): void {
    this.begin(Backend.emptyQueryResponse);
    this.end();
  }

  parseComplete(): void { this.begin(Backend.parseComplete); this.end(); }
  bindComplete(): void { this.begin(Backend.bindComplete); this.end(); }
  closeComplete(): void { this.begin(Backend.closeComplete); this.end(); }
  noData(): void { this.begin(Backend.noData); this.end(); }
  portalSuspended(): void { this.begin(Backend.portalSuspended); this.end(); }

  parameterDescription(typeOids: readonly number[]): void {
    this.begin(Backend.parameterDescription);
    this.int16(typeOids.length);
    for (const oid of typeOids) this.int32(oid);
    this.end();
  }

  copyOutResponse(format: 0 | 1, columnCount: number): void {
    this.begin(Backend.copyOutResponse);
    this.byte(format);
    this.int16(columnCount);
    for (let i = 0; i < columnCount; i++) this.int16(format);
    this.end();
  }

  copyData(data: string | Buffer): void {
    this.begin(Backend.copyData);
    if (typeof data === 'string') {
      this.ensure(data.length * 3);
      this.pos += this.buf.write(data, this.pos, 'utf8');
    } else {
      this.bytes(data);
    }
    this.end();
  }

  copyDone(): void { this.begin(Backend.copyDone); this.end(); }

  errorResponse(error: SabotError): void {
    this.begin(Backend.errorResponse);
    this.noticeFields(error);
    this.end();
  }

  noticeResponse(notice: SabotError): void {
    this.begin(Backend.noticeResponse);
    this.noticeFields(notice);
    this.end();
  }

  private noticeFields(e: SabotError): void {
    this.field(0x53, e.severity); // S
    this.field(0x56, e.severity); // V: not localized
    this.field(0x43, e.code); // C
    this.field(0x4d, e.message); // M
    if (e.detail !== undefined) this.field(0x44, e.detail); // D
    if (e.hint !== undefined) this.field(0x48, e.hint); // H
    if (e.position !== undefined) this.field(0x50, String(e.position)); // P
    if (e.internalPosition !== undefined) this.field(0x70, String(e.internalPosition)); // p
    if (e.internalQuery !== undefined) this.field(0x71, e.internalQuery); // q
    if (e.where !== undefined) this.field(0x57, e.where); // W
    if (e.schema !== undefined) this.field(0x73, e.schema); // s
    if (e.table !== undefined) this.field(0x74, e.table); // t
    if (e.column !== undefined) this.field(0x63, e.column); // c
    if (e.dataType !== undefined) this.field(0x64, e.dataType); // d
    if (e.constraint !== undefined) this.field(0x6e, e.constraint); // n
    this.byte(0);
  }

  private field(code: number, value: string): void {
    this.byte(code);
    this.cstring(value);
  }
}

/** Format of result column i given the Bind message's result format codes. */
export function resultFormat(formats: readonly number[], i: number): number {
  if (formats.length === 0) return 0;
  if (formats.length === 1) return formats[0]!;
  return formats[i] ?? 0;
}
