import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import { Authentication, type AuthConfig } from './auth/authentication.js';
import { BackendWriter, resultFormat } from './backend-writer.js';
import { decodeFrontend, decodeStartup, type FrontendMessage, type StartupMessage } from './frontend-messages.js';
import { MessageReader } from './message-reader.js';
import { MAX_STARTUP_PACKET_LENGTH, PROTOCOL_3_0 } from './protocol.js';
import type {
  BoundStatement, PreparedStatement, SessionFactory, SessionHandler, StatementResult,
} from './session-handler.js';

/** What a connection needs from the server that accepted it. */
export interface ConnectionHost {
  readonly auth: AuthConfig;
  readonly tls: SecureContext | undefined;
  readonly maxMessageLength: number;
  readonly createSession: SessionFactory;
  /** Registers the connection under a fresh process id and secret key; false if full. */
  register(conn: Connection): boolean;
  unregister(conn: Connection): void;
  /** Handles a CancelRequest. */
  cancel(processId: number, secretKey: number): void;
  /** Server-side log of unexpected failures. */
  log(message: string): void;
}

type Phase = 'startup' | 'authenticating' | 'ready' | 'closed';

/** A portal: a bound statement and, once executed, the rows not yet sent. */
interface Portal {
  bound: BoundStatement;
  resultFormats: number[];
  result: StatementResult | null;
  /** Index of the next row to send for a suspended row result. */
  nextRow: number;
  done: boolean;
}

/** Output above this many bytes is written to the socket before more is produced. */
const FLUSH_THRESHOLD = 256 * 1024;
/** Input above this many unprocessed bytes pauses reading from the socket. */
const INPUT_HIGH_WATER = 4 * 1024 * 1024;

/**
 * One client connection: the protocol state machine from the first byte to Terminate.
 * Messages are handled one at a time in arrival order; a message whose handling is
 * asynchronous holds the ones behind it until it is done. Protocol violations close
 * this connection only, after an ErrorResponse where the socket still takes one.
 */
export class Connection {
  processId = 0;
  secretKey = 0;
  private socket: Socket;
  private phase: Phase = 'startup';
  private readonly reader = new MessageReader();
  private readonly out = new BackendWriter(1024);
  private busy = false;
  /** After an error in an extended-protocol message, everything up to Sync is skipped. */
  private skipUntilSync = false;
  private sslDone = false;
  private authentication: Authentication | undefined;
  private startupParameters: Map<string, string> | undefined;
  private session: SessionHandler | undefined;
  private statements: Map<string, PreparedStatement> | undefined;
  private portals: Map<string, Portal> | undefined;
  /** Aborts the running statement; reused across statements until it is used. */
  private abort: AbortController | undefined;
  private running = false;
  private registered = false;

  constructor(socket: Socket, private readonly host: ConnectionHost) {
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
  }

  /** CancelRequest for this connection: abort the statement running now. */
  cancel(): void {
    this.abortRunning(new SabotError(SqlState.queryCanceled, 'canceling statement due to user request'));
  }

  /** Server shutdown: tell the client and close. */
  shutdown(): void {
    if (this.phase === 'closed') return;
    this.abortRunning(new SabotError(SqlState.adminShutdown, 'terminating connection due to administrator command'));
    this.fatal(new SabotError(SqlState.adminShutdown, 'terminating connection due to administrator command',
      { severity: 'FATAL' }));
  }

  private abortRunning(reason: SabotError): void {
    if (!this.running || !this.abort) return;
    this.abort.abort(reason);
    this.abort = undefined;
  }

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.reader.push(chunk);
    this.pump();
  }

  /** The client closed its side: a message cut short is a protocol violation. */
  private onEnd(): void {
    if (this.phase === 'closed') return;
    if (this.reader.buffered > 0) {
      this.fatal(new SabotError(SqlState.protocolViolation, 'unexpected EOF within message', { severity: 'FATAL' }));
    } else {
      this.close();
    }
  }

  /** Handles every complete message buffered, stopping at one that runs asynchronously. */
  private pump(): void {
    try {
      while (!this.busy && this.phase !== 'closed') {
        let pending: void | Promise<void>;
        if (this.phase === 'startup') {
          const body = this.reader.nextUntyped(MAX_STARTUP_PACKET_LENGTH);
          if (!body) break;
          pending = this.onStartup(decodeStartup(body));
        } else {
          const frame = this.reader.nextTyped(this.host.maxMessageLength);
          if (!frame) break;
          const message = decodeFrontend(frame.type, frame.body);
          pending = this.phase === 'authenticating' ? this.onAuthMessage(message) : this.onMessage(message);
        }
        if (pending) {
          this.busy = true;
          pending.then(
            () => { this.busy = false; this.pump(); },
            (err) => { this.busy = false; this.fatal(toFatal(err)); },
          );
        }
      }
    } catch (err) {
      this.fatal(toFatal(err));
      return;
    }
    this.flush();
    if (this.phase === 'closed') return;
    if (this.reader.buffered > INPUT_HIGH_WATER) this.socket.pause();
    else if (this.socket.isPaused()) this.socket.resume();
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const data = this.out.take();
    if (this.socket.writable) this.socket.write(data);
  }

  /** Flushes and, when the socket's buffer is full, waits until it drains. */
  private flushAndDrain(): Promise<void> | void {
    if (this.out.length === 0 || !this.socket.writable) return;
    if (this.socket.write(this.out.take())) return;
    return new Promise((resolve) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private fatal(error: SabotError): void {
    if (this.phase === 'closed') return;
    error.severity = 'FATAL';
    this.out.errorResponse(error);
    this.close();
  }

  /** Sends what is pending and closes the connection. */
  private close(): void {
    if (this.phase === 'closed') return;
    this.flush();
    this.teardown();
    this.socket.end();
    // A client that does not read its end of the socket must not keep it open forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private teardown(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.abortRunning(new SabotError(SqlState.connectionException, 'client disconnected'));
    if (this.registered) this.host.unregister(this);
    try {
      this.session?.close();
    } catch (err) {
      this.host.log(`session close failed: ${String(err)}`);
    }
    this.statements = undefined;
    this.portals = undefined;
  }

  // -------------------------------------------------------------------------------
  // Start-up and authentication

  private onStartup(message: StartupMessage): void | Promise<void> {
    switch (message.kind) {
      case 'ssl-request':
        if (this.sslDone) throw new SabotError(SqlState.protocolViolation, 'duplicate SSL request');
        this.sslDone = true;
        if (this.reader.buffered > 0) {
          throw new SabotError(SqlState.protocolViolation, 'received unencrypted data after SSL request');
        }
        if (!this.host.tls) {
          this.out.rawByte(0x4e); // N
          return;
        }
        this.out.rawByte(0x53); // S
        this.flush();
        this.upgradeToTls(this.host.tls);
        return;
      case 'gssenc-request':
        this.out.rawByte(0x4e); // N
        return;
      case 'cancel-request':
        this.host.cancel(message.processId, message.secretKey);
        this.close();
        return;
      case 'startup':
        return this.onStartupMessage(message.majorVersion, message.minorVersion, message.parameters);
    }
  }

  private upgradeToTls(context: SecureContext): void {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => this.teardown());
    const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
    this.socket = secure;
    this.attach(secure);
  }

  private onStartupMessage(major: number, minor: number, parameters: Map<string, string>): void {
    if (major !== 3) {
      throw new SabotError(SqlState.protocolViolation,
        `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
    }
    // Protocol options (`_pq_.*`) and minor versions above 0 are declined, as Postgres does.
    const unsupported = [...parameters.keys()].filter((k) => k.startsWith('_pq_.'));
    for (const k of unsupported) parameters.delete(k);
    if (minor > 0 || unsupported.length > 0) this.out.negotiateProtocolVersion(PROTOCOL_3_0 & 0xffff, unsupported);
    const user = parameters.get('user');
    if (!user) {
      throw new SabotError(SqlState.invalidAuthorizationSpecification,
        'no PostgreSQL user name specified in startup packet');
    }
    if (!parameters.has('database')) parameters.set('database', user);
    this.startupParameters = parameters;
    if (!this.host.register(this)) {
      throw new SabotError(SqlState.tooManyConnections, 'sorry, too many clients already');
    }
    this.registered = true;
    this.phase = 'authenticating';
    this.authentication = new Authentication(this.host.auth, user);
    if (this.authentication.begin(this.out) === 'ok') this.startSession();
  }

  private onAuthMessage(message: FrontendMessage): void {
    if (message.kind !== 'password') {
      throw new SabotError(SqlState.protocolViolation,
        `expected password response, got message type ${message.kind}`);
    }
    if (this.authentication!.respond(message.data, this.out) === 'ok') this.startSession();
  }

  private startSession(): void {
    this.authentication = undefined;
    this.out.authenticationOk();
    this.session = this.host.createSession(this.startupParameters!, {
      processId: this.processId,
      discardPreparedStatements: () => {
        this.statements?.clear();
        this.portals?.clear();
      },
    });
    this.startupParameters = undefined;
    this.phase = 'ready';
    for (const [name, value] of this.session.takeParameterChanges()) this.out.parameterStatus(name, value);
    this.out.backendKeyData(this.processId, this.secretKey);
    this.out.readyForQuery(this.session.transactionStatus());
  }

  // -------------------------------------------------------------------------------
  // Queries

  private onMessage(message: FrontendMessage): void | Promise<void> {
    if (this.skipUntilSync && message.kind !== 'sync' && message.kind !== 'terminate') return;
    switch (message.kind) {
      case 'query': return this.simpleQuery(message.sql);
      case 'parse': return this.extended(() => this.parse(message.name, message.sql, message.paramTypes));
      case 'bind': return this.extended(() => this.bind(message));
      case 'describe': return this.extended(() => this.describe(message.target, message.name));
      case 'execute': return this.extended(() => this.execute(message.portal, message.maxRows));
      case 'close': return this.extended(() => this.closeTarget(message.target, message.name));
      case 'sync': return this.sync();
      case 'flush': this.flush(); return;
      case 'terminate': this.close(); return;
      case 'copy-data': case 'copy-done': case 'copy-fail':
        // Not in COPY FROM: the client may still be sending data for a COPY that failed.
        return;
      case 'function-call':
        return this.extended(() => {
          throw new SabotError(SqlState.featureNotSupported, 'fastpath function calls are not supported');
        });
      case 'password':
        throw new SabotError(SqlState.protocolViolation, 'unexpected password message');
    }
  }

  private get preparedStatements(): Map<string, PreparedStatement> {
    return (this.statements ??= new Map());
  }

  private get openPortals(): Map<string, Portal> {
    return (this.portals ??= new Map());
  }

  /** Reports a statement error to the client and the session. */
  private reportError(err: unknown): void {
    const error = toSabotError(err);
    if (!error.userFault) this.host.log(`${error.code} ${error.message}${error.cause ? `: ${String((error.cause as Error).stack ?? error.cause)}` : ''}`);
    this.writeNotices();
    this.out.errorResponse(error);
    this.session!.onError(error);
  }

  /** Runs an extended-protocol step; an error skips everything up to the next Sync. */
  private extended(step: () => void | Promise<void>): void | Promise<void> {
    const fail = (err: unknown) => {
      this.reportError(err);
      this.skipUntilSync = true;
    };
    try {
      const pending = step();
      if (pending) return pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private writeNotices(): void {
    for (const notice of this.session!.takeNotices()) this.out.noticeResponse(notice);
  }

  private readyForQuery(): void {
    for (const [name, value] of this.session!.takeParameterChanges()) this.out.parameterStatus(name, value);
    this.out.readyForQuery(this.session!.transactionStatus());
  }

  private simpleQuery(sql: string): void | Promise<void> {
    const session = this.session!;
    // A simple query replaces the unnamed statement and portal.
    this.statements?.delete('');
    this.portals?.delete('');
    let statements: PreparedStatement[];
    try {
      statements = session.prepareScript(sql);
    } catch (err) {
      this.reportError(err);
      return this.endSimpleQuery();
    }
    if (statements.length === 0) {
      this.out.emptyQueryResponse();
      return this.endSimpleQuery();
    }
    return this.runScript(statements, 0);
  }

  /** Runs statements[i..] of a simple query, synchronously as long as each one is. */
  private runScript(statements: PreparedStatement[], i: number): void | Promise<void> {
    for (; i < statements.length; i++) {
      let pending: void | Promise<void>;
      try {
        const prepared = statements[i]!;
        const bound = prepared.bind([], []);
        const columns = bound.resultColumns();
        if (columns) this.out.rowDescription(columns, []);
        pending = this.runPortal({ bound, resultFormats: [], result: null, nextRow: 0, done: false }, 0);
      } catch (err) {
        this.reportError(err);
        return this.endSimpleQuery();
      }
      if (pending) {
        const next = i + 1;
        return pending.then(
          () => this.runScript(statements, next),
          (err) => { this.reportError(err); return this.endSimpleQuery(); },
        );
      }
    }
    return this.endSimpleQuery();
  }

  private endSimpleQuery(): void {
    this.session!.onSync();
    this.readyForQuery();
  }

  private parse(name: string, sql: string, paramTypes: number[]): void {
    if (name !== '' && this.statements?.has(name)) {
      throw new SabotError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    const prepared = this.session!.prepare(sql, paramTypes);
    this.preparedStatements.set(name, prepared);
    this.out.parseComplete();
  }

  private bind(m: Extract<FrontendMessage, { kind: 'bind' }>): void {
    const prepared = this.statements?.get(m.statement);
    if (!prepared) {
      throw new SabotError(SqlState.invalidSqlStatementName, `prepared statement "${m.statement}" does not exist`);
    }
    if (m.portal !== '' && this.portals?.has(m.portal)) {
      throw new SabotError(SqlState.duplicateCursor, `portal "${m.portal}" already exists`);
    }
    if (m.paramFormats.length > 1 && m.paramFormats.length !== m.params.length) {
      throw new SabotError(SqlState.protocolViolation,
        `bind message has ${m.paramFormats.length} parameter formats but ${m.params.length} parameters`);
    }
    const expected = prepared.parameterTypes().length;
    if (m.params.length !== expected) {
      throw new SabotError(SqlState.protocolViolation,
        `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${expected}`);
    }
    const bound = prepared.bind(m.params, m.paramFormats);
    this.openPortals.set(m.portal, { bound, resultFormats: m.resultFormats, result: null, nextRow: 0, done: false });
    this.out.bindComplete();
  }

  private describe(target: 'statement' | 'portal', name: string): void {
    if (target === 'statement') {
      const prepared = this.statements?.get(name);
      if (!prepared) throw new SabotError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
      const params = prepared.parameterTypes();
      const columns = prepared.resultColumns();
      this.out.parameterDescription(params);
      if (columns) this.out.rowDescription(columns, []);
      else this.out.noData();
      return;
    }
    const portal = this.portals?.get(name);
    if (!portal) throw new SabotError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
    const columns = portal.bound.resultColumns();
    if (columns) this.out.rowDescription(columns, portal.resultFormats);
    else this.out.noData();
  }

  private execute(name: string, maxRows: number): void | Promise<void> {
    const portal = this.portals?.get(name);
    if (!portal) throw new SabotError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
    return this.runPortal(portal, maxRows);
  }

  private closeTarget(target: 'statement' | 'portal', name: string): void {
    if (target === 'statement') this.statements?.delete(name);
    else this.portals?.delete(name);
    this.out.closeComplete();
  }

  private sync(): void {
    this.skipUntilSync = false;
    const session = this.session!;
    session.onSync();
    // Portals live until the end of their transaction.
    if (session.transactionStatus() === 'I') this.portals?.clear();
    this.readyForQuery();
  }

  // -------------------------------------------------------------------------------
  // Results

  /** Executes a portal (the first time) and sends up to maxRows of its result (0 = all). */
  private runPortal(portal: Portal, maxRows: number): void | Promise<void> {
    if (portal.result) return this.sendResult(portal, maxRows);
    if (portal.done) {
      this.out.commandComplete('SELECT 0');
      return;
    }
    const signal = (this.abort ??= new AbortController()).signal;
    this.running = true;
    let produced: StatementResult | Promise<StatementResult>;
    try {
      produced = portal.bound.execute(signal);
    } catch (err) {
      this.running = false;
      throw err;
    }
    if (produced instanceof Promise) {
      this.flush(); // let notices and earlier results reach the client while it runs
      return produced.then(
        (result) => {
          this.running = false;
          portal.result = result;
          return this.sendResult(portal, maxRows);
        },
        (err) => {
          this.running = false;
          throw err;
        },
      );
    }
    this.running = false;
    portal.result = produced;
    return this.sendResult(portal, maxRows);
  }

  private sendResult(portal: Portal, maxRows: number): void | Promise<void> {
    const result = portal.result!;
    this.writeNotices();
    switch (result.kind) {
      case 'empty':
        this.out.emptyQueryResponse();
        portal.done = true;
        portal.result = null;
        return;
      case 'command':
        this.out.commandComplete(result.tag);
        portal.done = true;
        portal.result = null;
        return;
      case 'copy-out':
        this.out.copyOutResponse(0, result.columnCount);
        for (const line of result.lines) this.out.copyData(line);
        this.out.copyDone();
        this.out.commandComplete(`COPY ${result.rowCount}`);
        portal.done = true;
        portal.result = null;
        return;
      case 'rows':
        return this.sendRows(portal, result, maxRows);
    }
  }

  private sendRows(portal: Portal, result: Extract<StatementResult, { kind: 'rows' }>, maxRows: number): void | Promise<void> {
    const { rows, encoders } = result;
    const width = encoders.length;
    const formats = new Array<number>(width);
    for (let c = 0; c < width; c++) formats[c] = resultFormat(portal.resultFormats, c);
    const cells = new Array<Buffer | string | null>(width);
    const end = maxRows > 0 ? Math.min(rows.length, portal.nextRow + maxRows) : rows.length;
    const step = (): void | Promise<void> => {
      while (portal.nextRow < end) {
        const row = rows[portal.nextRow++]!;
        for (let c = 0; c < width; c++) cells[c] = encoders[c]!(row[c], formats[c]!);
        this.out.dataRow(cells);
        if (this.out.length > FLUSH_THRESHOLD) {
          const waiting = this.flushAndDrain();
          if (waiting) return waiting.then(step);
        }
      }
      if (portal.nextRow < rows.length) {
        this.out.portalSuspended();
        return;
      }
      this.out.commandComplete(result.fixedTag ? result.tag : `${result.tag} ${rows.length}`);
      portal.done = true;
      portal.result = null;
    };
    return step();
  }
}

function toFatal(err: unknown): SabotError {
  const error = toSabotError(err);
  error.severity = 'FATAL';
  return error;
}
