import type { SqlType } from '../types/sql-type.js';
import type { FormatSettings } from '../types/text-format.js';

/** What a function may read of the session and statement it runs in. */
export interface EvalContext {
  /** Current value of a setting, or undefined if there is no such setting. */
  setting(name: string): string | undefined;
  /** set_config(): changes a setting and returns its new value. */
  setSetting(name: string, value: string, local: boolean): string;
  /** Start of the transaction and of the statement, in µs since the Unix epoch. */
  readonly transactionStart: number;
  readonly statementStart: number;
  readonly user: string;
  readonly database: string;
  readonly processId: number;
  /** Session settings that text input and output depend on (TimeZone, IntervalStyle). */
  readonly format: FormatSettings;
  /** Aborts on CancelRequest, statement_timeout or disconnect. */
  readonly signal: AbortSignal;
}

export type Volatility = 'immutable' | 'stable' | 'volatile';

/**
 * One overload of a SQL function or operator. Operators are functions named by their
 * symbol ('+', '=', '||'). `impl` receives arguments already cast to `argTypes`.
 */
export interface ScalarFunction {
  readonly name: string;
  readonly argTypes: readonly SqlType[];
  /** The last argument type repeats (greatest(a, b, ...)). */
  readonly variadic?: boolean;
  readonly returnType: SqlType;
  /** A NULL argument gives NULL without calling impl. */
  readonly strict: boolean;
  /** Immutable functions of constants are folded at plan time; others are not. */
  readonly volatility: Volatility;
  /** May return a Promise (pg_sleep); evaluation then becomes asynchronous. */
  readonly impl: (args: unknown[], ctx: EvalContext) => unknown;
  /**
   * A set-returning function (generate_series): impl returns the values of its rows as an
   * array. Allowed only as a whole item of a select list, where it makes one output row
   * per value (a flat map); never folded at plan time.
   */
  readonly setReturning?: boolean;
}

export type FunctionDefinition = Omit<ScalarFunction, 'strict' | 'volatility'> &
  Partial<Pick<ScalarFunction, 'strict' | 'volatility'>>;

/** Every built-in function and operator overload, by name. */
export class FunctionRegistry {
  private readonly byName = new Map<string, ScalarFunction[]>();

  add(def: FunctionDefinition): void {
    const fn: ScalarFunction = { strict: true, volatility: 'immutable', ...def };
    const list = this.byName.get(fn.name);
    if (list) list.push(fn);
    else this.byName.set(fn.name, [fn]);
  }

  overloads(name: string): readonly ScalarFunction[] {
    return this.byName.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
}
