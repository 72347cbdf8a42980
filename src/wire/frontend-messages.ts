import { SabotError, SqlState } from '../errors.js';
import { CANCEL_REQUEST_CODE, Frontend, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from './protocol.js';
import { printable } from './message-reader.js';

/** Messages a client sends before the session starts. */
export type StartupMessage =
  | { kind: 'ssl-request' }
  | { kind: 'gssenc-request' }
  | { kind: 'cancel-request'; processId: number; secretKey: number }
  | { kind: 'startup'; majorVersion: number; minorVersion: number; parameters: Map<string, string> };

/** Messages of a started session. */
export type FrontendMessage =
  | { kind: 'query'; sql: string }
  | { kind: 'parse'; name: string; sql: string; paramTypes: number[] }
  | { kind: 'bind'; portal: string; statement: string; paramFormats: number[];
      params: (Buffer | null)[]; resultFormats: number[] }
  | { kind: 'describe'; target: 'statement' | 'portal'; name: string }
  | { kind: 'execute'; portal: string; maxRows: number }
  | { kind: 'close'; target: 'statement' | 'portal'; name: string }
  | { kind: 'sync' }
  | { kind: 'flush' }
  | { kind: 'terminate' }
  | { kind: 'password'; data: Buffer }
  | { kind: 'copy-data'; data: Buffer }
  | { kind: 'copy-done' }
  | { kind: 'copy-fail'; message: string }
  | { kind: 'function-call' };

function malformed(what: string): SabotError {
  return new SabotError(SqlState.protocolViolation, `invalid message format: ${what}`);
}

/** Bounds-checked reading of one message body. */
class BodyReader {
  private pos = 0;
  constructor(private readonly body: Buffer) {}

  int16(): number {
    if (this.pos + 2 > this.body.length) throw malformed('message is too short');
    const v = this.body.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    if (this.pos + 4 > this.body.length) throw malformed('message is too short');
    const v = this.body.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) throw malformed('string is not terminated');
    const s = this.body.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.body.length) throw malformed('message is too short');
    const b = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A count that must be non-negative and fit in what is left, given a minimum size per item. */
  count(minItemSize: number): number {
    const n = this.int16();
    if (n < 0 || n * minItemSize > this.body.length - this.pos) throw malformed('invalid count');
    return n;
  }

  rest(): Buffer {
    const b = this.body.subarray(this.pos);
    this.pos = this.body.length;
    return b;
  }

  end(): void {
    if (this.pos !== this.body.length) throw malformed('unexpected data at end of message');
  }
}

export function decodeStartup(body: Buffer): StartupMessage {
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) { r.end(); return { kind: 'ssl-request' }; }
  if (code === GSSENC_REQUEST_CODE) { r.end(); return { kind: 'gssenc-request' }; }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.int32();
    const secretKey = r.int32();
    r.end();
    return { kind: 'cancel-request', processId, secretKey };
  }
  const majorVersion = code >>> 16;
  const minorVersion = code & 0xffff;
  const parameters = new Map<string, string>();
  if (majorVersion === 3) {
    for (;;) {
      const name = r.cstring();
      if (name === '') break;
      parameters.set(name, r.cstring());
    }
    r.end();
  }
  return { kind: 'startup', majorVersion, minorVersion, parameters };
}

function formatCodes(r: BodyReader): number[] {
  const n = r.count(2);
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = r.int16();
    if (c !== 0 && c !== 1) throw new SabotError(SqlState.protocolViolation, `unsupported format code: ${c}`);
    codes[i] = c;
  }
  return codes;
}

function target(byte: number): 'statement' | 'portal' {
  if (byte === 0x53) return 'statement';
  if (byte === 0x50) return 'portal';
  throw malformed(`invalid target "${printable(byte)}", expected S or P`);
}

export function decodeFrontend(type: number, body: Buffer): FrontendMessage {
  const r = new BodyReader(body);
  let message: FrontendMessage;
  switch (type) {
    case Frontend.query:
      message = { kind: 'query', sql: r.cstring() };
      break;
    case Frontend.parse: {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.count(4);
      const paramTypes = new Array<number>(n);
      for (let i = 0; i < n; i++) paramTypes[i] = r.int32() >>> 0;
      message = { kind: 'parse', name, sql, paramTypes };
      break;
    }
    case Frontend.bind: {
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = formatCodes(r);
      const n = r.count(4);
      const params = new Array<Buffer | null>(n);
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        if (len < -1) throw malformed('invalid parameter length');
        params[i] = len === -1 ? null : r.bytes(len);
      }
      const resultFormats = formatCodes(r);
      message = { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
      break;
    }
    case Frontend.describe: {
      const t = target(r.bytes(1)[0]!);
      message = { kind: 'describe', target: t, name: r.cstring() };
      break;
    }
    case Frontend.execute: {
      const portal = r.cstring();
      message = { kind: 'execute', portal, maxRows: r.int32() };
      break;
    }
    case Frontend.close: {
      const t = target(r.bytes(1)[0]!);
      message = { kind: 'close', target: t, name: r.cstring() };
      break;
    }
    case Frontend.sync: message = { kind: 'sync' }; break;
    case Frontend.flush: message = { kind: 'flush' }; break;
    case Frontend.terminate: message = { kind: 'terminate' }; break;
    case Frontend.password: message = { kind: 'password', data: Buffer.from(r.rest()) }; break;
    case Frontend.copyData: message = { kind: 'copy-data', data: Buffer.from(r.rest()) }; break;
    case Frontend.copyDone: message = { kind: 'copy-done' }; break;
    case Frontend.copyFail: message = { kind: 'copy-fail', message: r.cstring() }; break;
    case Frontend.functionCall: r.rest(); message = { kind: 'function-call' }; break;
    default:
      throw new SabotError(SqlState.protocolViolation, `invalid frontend message type ${type} ("${printable(type)}")`);
  }
  r.end();
  return message;
}
