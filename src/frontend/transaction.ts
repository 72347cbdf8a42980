import type { SessionSettings } from './settings.js';
import type { TransactionControl } from './statement-plan.js';

/**
 * A session's transaction: explicit blocks (BEGIN ... COMMIT) and the implicit
 * transaction around statements outside a block, which ends at Sync or at the end of
 * a simple query. It scopes settings (undone on rollback, SET LOCAL undone at the end)
 * and fixes the time now() returns.
 */
export class Transaction implements TransactionControl {
  state: 'idle' | 'block' | 'failed' = 'idle';
  /** Start of the current transaction in µs since the epoch; 0 when none is open. */
  startTime = 0;
  private locals: Map<string, string> | undefined;
  private implicitFailed = false;

  constructor(private readonly settings: SessionSettings) {}

  /** A statement is about to run: opens the implicit transaction if none is open. */
  statementStarting(now: number): void {
    if (this.startTime !== 0) return;
    this.startTime = now;
    this.settings.track();
  }

  begin(): void {
    this.state = 'block';
  }

  commit(): boolean {
    const committed = this.state === 'block';
    if (committed) this.keep();
    else this.settings.undoChanges();
    this.end();
    return committed;
  }

  rollback(): void {
    this.settings.undoChanges();
    this.end();
  }

  setLocal(name: string, value: string): string {
    this.locals ??= new Map();
    if (!this.locals.has(name)) this.locals.set(name, this.settings.get(name) ?? '');
    return this.settings.set(name, value);
  }

  /** An error was reported: a block fails; an implicit transaction rolls back at its end. */
  failed(): void {
    if (this.state === 'block') this.state = 'failed';
    else if (this.state === 'idle') this.implicitFailed = true;
  }

  /** Sync or end of a simple query: ends the implicit transaction. */
  sync(): void {
    if (this.state !== 'idle' || this.startTime === 0) return;
    if (this.implicitFailed) this.settings.undoChanges();
    else this.keep();
    this.end();
  }

  /** Keeps the transaction's settings, but for SET LOCAL ones, which end with it. */
  private keep(): void {
    if (this.locals) {
      for (const [name, value] of this.locals) {
        if (this.settings.get(name) !== undefined) this.settings.set(name, value);
      }
    }
    this.settings.keepChanges();
  }

  private end(): void {
    this.state = 'idle';
    this.startTime = 0;
    this.locals = undefined;
    this.implicitFailed = false;
  }
}
