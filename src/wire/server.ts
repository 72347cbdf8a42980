import { createServer, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import type { AuthConfig } from './auth/authentication.js';
import { Connection, type ConnectionHost } from './connection.js';
import { DEFAULT_MAX_MESSAGE_LENGTH } from './protocol.js';
import type { SessionFactory } from './session-handler.js';

export interface WireServerOptions {
  host: string;
  port: number;
  auth: AuthConfig;
  tls?: SecureContext;
  maxConnections?: number;
  maxMessageLength?: number;
  createSession: SessionFactory;
  log?: (message: string) => void;
}

/**
 * Accepts Postgres protocol connections and keeps the table of live sessions by
 * process id, which CancelRequest messages refer to.
 */
export class WireServer implements ConnectionHost {
  readonly auth: AuthConfig;
  readonly tls: SecureContext | undefined;
  readonly maxMessageLength: number;
  readonly createSession: SessionFactory;
  private readonly maxConnections: number;
  private readonly server: Server;
  private readonly byProcessId = new Map<number, Connection>();
  private readonly sockets = new Set<Socket>();
  private nextProcessId = 1000 + randomInt(1000);

  constructor(private readonly options: WireServerOptions) {
    this.auth = options.auth;
    this.tls = options.tls;
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.maxConnections = options.maxConnections ?? 1000;
    this.createSession = options.createSession;
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new Connection(socket, this);
    });
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  get connectionCount(): number {
    return this.byProcessId.size;
  }

  register(conn: Connection): boolean {
    if (this.byProcessId.size >= this.maxConnections) return false;
    do {
      this.nextProcessId = this.nextProcessId >= 0x7ffffff0 ? 1000 : this.nextProcessId + 1;
    } while (this.byProcessId.has(this.nextProcessId));
    conn.processId = this.nextProcessId;
    conn.secretKey = randomInt(0x7fffffff);
    this.byProcessId.set(conn.processId, conn);
    return true;
  }

  unregister(conn: Connection): void {
    if (this.byProcessId.get(conn.processId) === conn) this.byProcessId.delete(conn.processId);
  }

  cancel(processId: number, secretKey: number): void {
    const conn = this.byProcessId.get(processId);
    if (conn && conn.secretKey === secretKey) conn.cancel();
  }

  log(message: string): void {
    (this.options.log ?? ((m: string) => process.stderr.write(`${m}\n`)))(message);
  }

  /** Stops accepting, tells every session the server is going away, and closes them. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.byProcessId.values()]) conn.shutdown();
    // Connections that never finished start-up hold no session; just drop them.
    setTimeout(() => { for (const s of this.sockets) s.destroy(); }, 1000).unref();
    await closed;
  }
}
