import type { SessionSettings, SettingsSnapshot } from './settings.js';
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
  private snapshot: SettingsSnapshot | undefined;
  private locals: Map<string, string> | undefined;
  private implicitFailed = false;

  constructor(private readonly settings: SessionSettings) {}

  /** A statement is about to run: opens the implicit transaction if none is open. */
  statementStarting(now: number): void {
    if (this.startTime !== 0) return;
    this.startTime = now;
    this.snapshot = this.settings.snapshot();
  }

  begin(): void {
    this.state = 'block';
  }

  commit(): boolean {
    const committed = this.state === 'block';
    if (committed) this.restoreLocals();
    else this.settings.restore(this.snapshot!);
    this.end();
    return committed;
  }

  rollback(): void {
    this.settings.restore(this.snapshot!);
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
    if (this.implicitFailed) this.settings.restore(this.snapshot!);
    else this.restoreLocals();
    this.end();
  }

  private restoreLocals(): void {
    if (!this.locals) return;
    for (const [name, value] of this.locals) {
      if (this.settings.get(name) !== undefined) this.settings.set(name, value);
    }
  }

  private end(): void {
    this.state = 'idle';
    this.startTime = 0;
    this.snapshot = undefined;
    this.locals = undefined;
    this.implicitFailed = false;
  }
}
