import { connect, type Socket } from 'node:net';

/** The least free room handed to a socket read (Node's own reads allocate 64 KiB each). */
const MIN_READ = 64 << 10;

interface Pending {
  correlationId: number;
  resolve(response: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP connection to a Kafka broker for the hot requests (Fetch, Produce), framed by
 * us. The socket reads straight into one reused buffer (no 64 KiB buffer per read, no
 * copy to assemble a response), and a request goes out as the caller's pieces in one
 * gathered write (a produce request's record batches are never copied into one buffer).
 * Requests may be pipelined; the broker answers them in order. A socket error or a
 * request timing out fails every pending request and closes the connection for good.
 */
export class BrokerConnection {
  private readonly socket: Socket;
  private readonly ready: Promise<void>;
  private failConnecting: (err: Error) => void = () => {};
  private bytes = new Uint8Array(4 * MIN_READ);
  /** The unconsumed received bytes are bytes[start, end). */
  private start = 0;
  private end = 0;
  private readonly pending: Pending[] = [];
  private correlationId = 0;
  private failure: Error | null = null;
  private readonly clientId: Uint8Array;

  constructor(readonly host: string, readonly port: number, clientId: string, private readonly timeoutMs: number) {
    this.clientId = new TextEncoder().encode(clientId);
    this.socket = connect({
      host, port, noDelay: true,
      onread: { buffer: () => this.room(), callback: (n: number) => { this.end += n; this.dispatch(); return true; } },
    });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => { this.socket.setTimeout(0); resolve(); });
      this.failConnecting = reject;
    });
    this.ready.catch(() => {}); // the request that waits on it reports the failure
    this.socket.setTimeout(timeoutMs, () => this.fail(new Error(`connecting to ${host}:${port} timed out`)));
    this.socket.on('error', (err) => this.fail(new Error(`connection to ${host}:${port}: ${err.message}`)));
    this.socket.on('close', () => this.fail(new Error(`connection to ${host}:${port} closed`)));
  }

  /** False once the connection has failed or been closed: make a new one. */
  get usable(): boolean {
    return this.failure === null;
  }

  /**
   * Sends a request (flexible header: v2) whose body is `pieces` back to back; resolves
   * with the response body after its header, a view valid until the next request on this
   * connection. The pieces must stay unchanged until the response arrives.
   */
  async request(apiKey: number, apiVersion: number, pieces: readonly Uint8Array[], timeoutMs = this.timeoutMs): Promise<Uint8Array> {
    await this.ready;
    if (this.failure) throw this.failure;
    const correlationId = ++this.correlationId;
    const header = new Uint8Array(4 + 10 + this.clientId.length + 1);
    const view = new DataView(header.buffer);
    let size = header.length - 4;
    for (const p of pieces) size += p.length;
    view.setInt32(0, size);
    view.setInt16(4, apiKey);
    view.setInt16(6, apiVersion);
    view.setInt32(8, correlationId);
    view.setInt16(12, this.clientId.length);
    header.set(this.clientId, 14);
    header[header.length - 1] = 0; // no tagged fields
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`request to ${this.host}:${this.port} timed out after ${timeoutMs} ms`)), timeoutMs);
      this.pending.push({ correlationId, resolve, reject, timer });
      this.socket.cork();
      this.socket.write(header);
      for (const p of pieces) if (p.length > 0) this.socket.write(p);
      this.socket.uncork();
    });
  }

  /** Where the next socket read goes: after the received bytes, with at least MIN_READ free. */
  private room(): Uint8Array {
    if (this.start === this.end) this.start = this.end = 0; // everything handed out was read by now
    if (this.bytes.length - this.end >= MIN_READ) return this.bytes.subarray(this.end);
    const kept = this.end - this.start;
    const messageSize = kept >= 4 ? new DataView(this.bytes.buffer, this.bytes.byteOffset + this.start).getInt32(0) + 4 : 0;
    const target = this.bytes.length >= Math.max(kept, messageSize) + MIN_READ ? this.bytes
      : new Uint8Array(Math.max(this.bytes.length * 2, messageSize + MIN_READ));
    target.set(this.bytes.subarray(this.start, this.end), 0);
    this.bytes = target;
    this.start = 0;
    this.end = kept;
    return this.bytes.subarray(this.end);
  }

  /** Hands every whole response received to its request. */
  private dispatch(): void {
    while (this.end - this.start >= 8) {
      const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.start);
      const size = view.getInt32(0);
      if (this.end - this.start - 4 < size) return;
      const correlationId = view.getInt32(4);
      const request = this.pending.shift();
      if (!request || request.correlationId !== correlationId) {
        this.fail(new Error(`${this.host}:${this.port} answered request ${correlationId} out of order`));
        return;
      }
      clearTimeout(request.timer);
      let at = this.start + 8;
      for (let fields = this.bytes[at++]!; fields > 0; fields--) at = skipTaggedField(this.bytes, at); // response header v1
      const body = this.bytes.subarray(at, this.start + 4 + size);
      this.start += 4 + size;
      request.resolve(body);
    }
  }

  private fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    this.failConnecting(this.failure);
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(this.failure);
    }
    this.socket.destroy();
  }

  close(): void {
    this.fail(new Error(`connection to ${this.host}:${this.port} closed`));
  }
}

/** Moves past one tagged field (tag, size, bytes) whose tag starts at `at`; both varints are short here. */
function skipTaggedField(bytes: Uint8Array, at: number): number {
  while (bytes[at++]! & 0x80);
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++]!;
    size |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
  }
  return at + size;
}
