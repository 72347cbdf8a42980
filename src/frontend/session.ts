import type { CatalogStore } from '../control/catalog/catalog-store.js';
import type { JobManager } from '../control/job-manager.js';
import type { LocalAgent } from '../agent/local-agent.js';
import type { StreamCatalog } from '../control/catalog/stream-catalog.js';
import type { InternalStreams } from '../connectors/internal/internal-streams.js';
import { SabotError, SqlState } from '../errors.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import type { Statement } from '../sql/ast.js';
import { parseScript, parseStatement } from '../sql/parser.js';
import { decodeBinary, encodeBinary } from '../types/binary-format.js';
import { typeByOid, type SqlType } from '../types/sql-type.js';
import { formatText, parseText } from '../types/text-format.js';
import type { ColumnDescription } from '../wire/backend-writer.js';
import type {
  BoundStatement, CellEncoder, ConnectionControl, PreparedStatement, SessionHandler, StartupParameters, StatementResult,
} from '../wire/session-handler.js';
import type { TransactionStatus } from '../wire/protocol.js';
import { planStatement } from './handlers/index.js';
import { SessionSettings } from './settings.js';
import type { PlanResult, ResultColumn, SessionContext, StatementPlan } from './statement-plan.js';
import { Transaction } from './transaction.js';

/** What every session shares: the server's function registry and catalog. */
export interface ServerContext {
  readonly functions: FunctionRegistry;
  readonly catalog: CatalogStore;
  readonly jobs: JobManager;
  readonly streams: StreamCatalog;
  readonly internalStreams: InternalStreams;
  readonly agent: LocalAgent;
}

/** Microseconds since the Unix epoch, with sub-millisecond precision. */
function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * The SQL session behind one connection: settings, transaction state and statement
 * dispatch. The wire layer calls it through SessionHandler; statement handlers see it
 * through SessionContext.
 */
export class Session implements SessionHandler, SessionContext {
  readonly settings: SessionSettings;
  readonly transaction: Transaction;
  readonly functions: FunctionRegistry;
  readonly catalog: CatalogStore;
  readonly jobs: JobManager;
  readonly streams: StreamCatalog;
  readonly internalStreams: InternalStreams;
  readonly agent: LocalAgent;
  readonly user: string;
  readonly database: string;
  private notices: SabotError[] = [];

  constructor(startup: StartupParameters, private readonly control: ConnectionControl, server: ServerContext) {
    this.user = startup.get('user') ?? '';
    this.database = startup.get('database') ?? this.user;
    this.settings = new SessionSettings(startup);
    this.transaction = new Transaction(this.settings);
    this.functions = server.functions;
    this.catalog = server.catalog;
    this.jobs = server.jobs;
    this.streams = server.streams;
    this.internalStreams = server.internalStreams;
    this.agent = server.agent;
  }

  prepareScript(sql: string): PreparedStatement[] {
    return parseScript(sql).map((p) => new PreparedSql(this, p.statement, sql, []));
  }

  prepare(sql: string, paramTypes: number[]): PreparedStatement {
    const declared = paramTypes.map((oid) => {
      if (oid === 0) return undefined;
      const type = typeByOid(oid);
      if (!type) throw new SabotError(SqlState.undefinedObject, `type with OID ${oid} is not supported`);
      return type;
    });
    const parsed = parseStatement(sql);
    if (!parsed) return emptyStatement;
    const prepared = new PreparedSql(this, parsed.statement, sql, declared);
    prepared.plan(); // Parse reports planning errors and fixes the parameter types now
    return prepared;
  }

  transactionStatus(): TransactionStatus {
    switch (this.transaction.state) {
      case 'idle': return 'I';
      case 'block': return 'T';
      case 'failed': return 'E';
    }
  }

  onError(): void {
    this.transaction.failed();
  }

  onSync(): void {
    this.transaction.sync();
  }

  notice(notice: SabotError): void {
    this.notices.push(notice);
  }

  takeNotices(): SabotError[] {
    if (this.notices.length === 0) return this.notices;
    const out = this.notices;
    this.notices = [];
    return out;
  }

  takeParameterChanges(): [string, string][] {
    return this.settings.takeChanges();
  }

  discardAll(): void {
    this.settings.resetAll();
    this.control.discardPreparedStatements();
  }

  close(): void {
    this.notices = [];
  }

  /** Refuses statements in a failed transaction block, as Postgres does. */
  checkTransactionState(statement: Statement): void {
    if (this.transaction.state === 'failed' && statement.kind !== 'commit' && statement.kind !== 'rollback') {
      throw new SabotError(SqlState.inFailedSqlTransaction,
        'current transaction is aborted, commands ignored until end of transaction block');
    }
  }

  /** The context a statement's expressions run in. */
  evalContext(signal: AbortSignal, statementStart: number): EvalContext {
    return {
      setting: (name) => this.settings.get(name),
      setSetting: (name, value, local) => (local ? this.transaction.setLocal(name, value) : this.settings.set(name, value)),
      transactionStart: this.transaction.startTime,
      statementStart,
      user: this.user,
      database: this.database,
      processId: this.control.processId,
      format: this.settings.format,
      signal,
    };
  }

  /** An encoder of one column's values in text or binary format. */
  encoder(type: SqlType): CellEncoder {
    return (value, format) => {
      if (value === null || value === undefined) return null;
      return format === 1 ? encodeBinary(type, value) : formatText(type, value, this.settings.format);
    };
  }
}

function describe(columns: ResultColumn[]): ColumnDescription[] {
  return columns.map((c) => ({
    name: c.name, typeOid: c.type.oid, typeSize: c.type.size, typeModifier: -1, tableOid: 0, columnNumber: 0,
  }));
}

/** A parsed statement; planned when first needed (so a script's statements see each other's effects). */
class PreparedSql implements PreparedStatement {
  private planned: StatementPlan | undefined;
  private descriptions: ColumnDescription[] | null | undefined;
  private encoders: CellEncoder[] | undefined;

  constructor(
    private readonly session: Session,
    private readonly statement: Statement,
    /** The query string the statement came from (CREATE DATAFLOW keeps its text). */
    private readonly source: string,
    private readonly declared: (SqlType | undefined)[],
  ) {}

  plan(): StatementPlan {
    if (this.planned) return this.planned;
    this.session.checkTransactionState(this.statement);
    this.planned = planStatement(this.statement, this.session, this.declared, this.source);
    this.descriptions = this.planned.columns && describe(this.planned.columns);
    this.encoders = this.planned.columns?.map((c) => this.session.encoder(c.type));
    return this.planned;
  }

  parameterTypes(): number[] {
    return this.plan().parameterTypes.map((t) => t.oid);
  }

  resultColumns(): ColumnDescription[] | null {
    this.plan();
    return this.descriptions!;
  }

  bind(params: (Buffer | null)[], paramFormats: number[]): BoundStatement {
    const plan = this.plan();
    const format = this.session.settings.format;
    const values = params.map((raw, i) => {
      if (raw === null) return null;
      const type = plan.parameterTypes[i]!;
      const binary = (paramFormats.length === 1 ? paramFormats[0] : paramFormats[i] ?? 0) === 1;
      try {
        return binary ? decodeBinary(type, raw) : parseText(type, raw.toString('utf8'), format);
      } catch (err) {
        if (err instanceof SabotError) err.where = `unnamed portal parameter $${i + 1}`;
        throw err;
      }
    });
    return {
      resultColumns: () => this.descriptions!,
      execute: (signal) => this.execute(plan, values, signal),
    };
  }

  private execute(plan: StatementPlan, values: unknown[], signal: AbortSignal): StatementResult | Promise<StatementResult> {
    const session = this.session;
    session.checkTransactionState(this.statement);
    const start = nowMicros();
    session.transaction.statementStarting(start);
    const timeout = session.settings.statementTimeoutMillis;
    const limited = timeout > 0 ? withTimeout(signal, timeout) : undefined;
    const result = plan.execute(values, session.evalContext(limited?.signal ?? signal, start));
    if (!(result instanceof Promise)) {
      limited?.clear();
      return this.toWire(result);
    }
    return result.then(
      (r) => { limited?.clear(); return this.toWire(r); },
      (err) => { limited?.clear(); throw err; },
    );
  }

  private toWire(result: PlanResult): StatementResult {
    if (result.kind !== 'rows') return result;
    return {
      kind: 'rows',
      columns: this.descriptions!,
      encoders: this.encoders!,
      rows: result.rows,
      tag: result.tag,
      fixedTag: result.fixedTag,
    };
  }
}

/** A signal that also aborts after `ms` with statement_timeout's error. */
function withTimeout(parent: AbortSignal, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(() => controller.abort(
    new SabotError(SqlState.queryCanceled, 'canceling statement due to statement timeout')), ms);
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/** The prepared form of an empty query string. */
const emptyStatement: PreparedStatement = {
  parameterTypes: () => [],
  resultColumns: () => null,
  bind: () => ({ resultColumns: () => null, execute: () => ({ kind: 'empty' }) }),
};
