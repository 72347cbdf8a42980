import { connect, type Socket } from 'node:net';

/** A backend message as received: type letter and body. */
export interface RawMessage {
  type: string;
  body: Buffer;
}

const cstr = (s: string) => Buffer.from(`${s}\0`);
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

/** Builders of frontend messages, byte for byte. */
export const msg = {
  frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
    return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
  },
  startup(params: Record<string, string>, version = 196608): Buffer {
    const body = Buffer.concat([int32(version), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
    return Buffer.concat([int32(body.length + 4), body]);
  },
  query: (sql: string) => msg.frame('Q', cstr(sql)),
  parse: (name: string, sql: string, types: number[] = []) =>
    msg.frame('P', Buffer.concat([cstr(name), cstr(sql), int16(types.length), ...types.map(int32)])),
  bind: (portal: string, statement: string, params: (string | null)[] = [], resultFormats: number[] = []) =>
    msg.frame('B', Buffer.concat([
      cstr(portal), cstr(statement), int16(0), int16(params.length),
      ...params.map((p) => (p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)]))),
      int16(resultFormats.length), ...resultFormats.map(int16),
    ])),
  describe: (target: 'S' | 'P', name: string) => msg.frame('D', Buffer.concat([Buffer.from(target), cstr(name)])),
  execute: (portal: string, maxRows = 0) => msg.frame('E', Buffer.concat([cstr(portal), int32(maxRows)])),
  close: (target: 'S' | 'P', name: string) => msg.frame('C', Buffer.concat([Buffer.from(target), cstr(name)])),
  sync: () => msg.frame('S'),
  flush: () => msg.frame('H'),
  terminate: () => msg.frame('X'),
};

/** Fields of an ErrorResponse or NoticeResponse body by their code letter. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    out[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

/** Text values of a DataRow. */
export function dataRow(body: Buffer): (string | null)[] {
  const n = body.readInt16BE(0);
  const out: (string | null)[] = [];
  let i = 2;
  for (let c = 0; c < n; c++) {
    const len = body.readInt32BE(i);
    i += 4;
    if (len < 0) out.push(null);
    else { out.push(body.toString('utf8', i, i + len)); i += len; }
  }
  return out;
}

/**
 * A bare protocol client for tests that need to send exact bytes: it writes what it is
 * given and collects every backend message (or the single-byte SSL answer) it receives.
 */
export class RawClient {
  readonly messages: RawMessage[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private rawBytes = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.parse();
    });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => { this.closed = true; this.wake(); });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Expect `n` raw bytes (an SSLRequest answer) before framed messages. */
  expectRawBytes(n: number): void {
    this.rawBytes = n;
  }

  private parse(): void {
    for (;;) {
      if (this.rawBytes > 0) {
        if (this.buffer.length < this.rawBytes) break;
        this.messages.push({ type: 'raw', body: this.buffer.subarray(0, this.rawBytes) });
        this.buffer = this.buffer.subarray(this.rawBytes);
        this.rawBytes = 0;
        continue;
      }
      if (this.buffer.length < 5) break;
      const len = this.buffer.readInt32BE(1);
      if (this.buffer.length < len + 1) break;
      this.messages.push({ type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, len + 1) });
      this.buffer = this.buffer.subarray(len + 1);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(...data: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(data));
  }

  /** Waits until a message of the type arrives (or the socket closes); returns all so far. */
  async until(type: string, timeoutMs = 5000): Promise<RawMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.some((m) => m.type === type)) {
      if (this.closed) return [...this.messages];
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}; got ${this.messages.map((m) => m.type).join('')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return [...this.messages];
  }

  /** Takes and clears what was received. */
  take(): RawMessage[] {
    return this.messages.splice(0);
  }

  async startup(params: Record<string, string> = { user: 'test', database: 'test' }): Promise<RawMessage[]> {
    this.send(msg.startup(params));
    await this.until('Z');
    return this.take();
  }

  /** Waits for the server to close the connection. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  end(): void {
    this.socket.destroy();
  }
}
