import type { SabotError } from '../errors.js';
import type { ColumnDescription } from './backend-writer.js';
import type { TransactionStatus } from './protocol.js';

/**
 * What the wire layer needs from the SQL session behind a connection. The wire layer
 * owns framing, authentication, prepared statement and portal bookkeeping, and output
 * encoding; everything that knows SQL lives behind this interface (src/frontend/).
 */
export interface SessionHandler {
  /** Parses a simple-query string into its statements (a syntax error fails them all). */
  prepareScript(sql: string): PreparedStatement[];
  /** Parses one statement for the extended protocol; `paramTypes` are OIDs, 0 = infer. */
  prepare(sql: string, paramTypes: number[]): PreparedStatement;
  transactionStatus(): TransactionStatus;
  /** Called for every error reported to the client, so a transaction block can fail. */
  onError(error: SabotError): void;
  /** Called at Sync: ends an implicit transaction. */
  onSync(): void;
  /** Notices produced since the last call. */
  takeNotices(): SabotError[];
  /** Reported settings (ParameterStatus) changed since the last call; all of them at first. */
  takeParameterChanges(): [name: string, value: string][];
  close(): void;
}

/** What a session may ask of its connection. */
export interface ConnectionControl {
  readonly processId: number;
  /** DISCARD ALL / DEALLOCATE ALL: forget every prepared statement and portal. */
  discardPreparedStatements(): void;
}

/** Startup parameters of a connection (user, database, application_name, options, ...). */
export type StartupParameters = ReadonlyMap<string, string>;

export type SessionFactory = (startup: StartupParameters, control: ConnectionControl) => SessionHandler;

export interface PreparedStatement {
  /** Parameter type OIDs, once inferred (may bind the statement). */
  parameterTypes(): number[];
  /** Result columns, or null for a statement that returns no rows. */
  resultColumns(): ColumnDescription[] | null;
  bind(params: (Buffer | null)[], paramFormats: number[]): BoundStatement;
}

export interface BoundStatement {
  resultColumns(): ColumnDescription[] | null;
  /** Runs the statement; may be asynchronous. The signal aborts on CancelRequest or disconnect. */
  execute(signal: AbortSignal): StatementResult | Promise<StatementResult>;
}

/** Encodes one result value in text (0) or binary (1) format. */
export type CellEncoder = (value: unknown, format: number) => Buffer | string | null;

export type StatementResult =
  | {
      kind: 'rows';
      columns: ColumnDescription[];
      /** One encoder per column. */
      encoders: CellEncoder[];
      rows: unknown[][];
      /** Command tag prefix, e.g. 'SELECT' (the row count is appended), or a full tag. */
      tag: string;
      /** True when the tag is complete as given (SHOW has no count). */
      fixedTag?: boolean;
    }
  | { kind: 'command'; tag: string }
  | {
      kind: 'copy-out';
      columnCount: number;
      /** Lines of COPY output, each already terminated. */
      lines: string[];
      rowCount: number;
    }
  | { kind: 'empty' };
