import type { CatalogStore } from '../control/catalog/catalog-store.js';
import type { JobManager } from '../control/job-manager.js';
import type { LocalAgent } from '../agent/local-agent.js';
import type { StreamCatalog } from '../control/catalog/stream-catalog.js';
import type { InternalStreams } from '../connectors/internal/internal-streams.js';
import type { SabotError } from '../errors.js';
import type { EvalContext } from '../functions/scalar-function.js';
import type { FunctionRegistry } from '../functions/scalar-function.js';
import type { SqlType } from '../types/sql-type.js';
import type { SessionSettings } from './settings.js';

export interface ResultColumn {
  name: string;
  type: SqlType;
}

/** What a statement produces, before the wire layer encodes it. */
export type PlanResult =
  | { kind: 'rows'; rows: unknown[][]; /** 'SELECT' gets the row count appended */ tag: string; fixedTag?: boolean }
  | { kind: 'command'; tag: string }
  | { kind: 'copy-out'; columnCount: number; lines: string[]; rowCount: number };

/** A statement ready to run: its parameter and result types are known. */
export interface StatementPlan {
  readonly parameterTypes: SqlType[];
  /** Result columns, or null when the statement returns no rows. */
  readonly columns: ResultColumn[] | null;
  /** COMMIT and ROLLBACK may run in a failed transaction block; nothing else may. */
  readonly endsTransaction?: boolean;
  execute(params: unknown[], ctx: EvalContext): PlanResult | Promise<PlanResult>;
}

/** The session as statement handlers see it. */
export interface SessionContext {
  readonly settings: SessionSettings;
  readonly functions: FunctionRegistry;
  readonly catalog: CatalogStore;
  readonly jobs: JobManager;
  /** The streams, in memory for planning; the catalog has the durable rows. */
  readonly streams: StreamCatalog;
  readonly internalStreams: InternalStreams;
  /** The in-process agent that runs dataflows' tasks. */
  readonly agent: LocalAgent;
  readonly transaction: TransactionControl;
  notice(notice: SabotError): void;
  discardAll(): void;
}

export interface TransactionControl {
  /** 'idle' outside a block; 'block' inside BEGIN; 'failed' after an error in a block. */
  readonly state: 'idle' | 'block' | 'failed';
  begin(): void;
  /** Ends the block; returns false when it had failed (so COMMIT reports ROLLBACK). */
  commit(): boolean;
  rollback(): void;
  /** SET LOCAL: the value reverts when the transaction ends. */
  setLocal(name: string, value: string): string;
}
