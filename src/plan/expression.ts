import type { SqlType } from '../types/sql-type.js';
import type { ScalarFunction } from '../functions/scalar-function.js';

/**
 * A bound, typed expression: what the binder makes of a syntax tree once every name is
 * resolved and every type known. The optimizer rewrites these and the runtime compiles
 * them; `evaluateScalar` (./evaluate.ts) evaluates one for a single row.
 */
export type BoundExpression =
  | { kind: 'constant'; type: SqlType; value: unknown }
  /** index is 0-based. */
  | { kind: 'parameter'; type: SqlType; index: number }
  /** A column of the input row, by position. */
  | { kind: 'column'; type: SqlType; index: number; name: string }
  | { kind: 'call'; type: SqlType; fn: ScalarFunction; args: BoundExpression[] }
  | { kind: 'cast'; type: SqlType; expr: BoundExpression }
  | { kind: 'and'; type: SqlType; args: BoundExpression[] }
  | { kind: 'or'; type: SqlType; args: BoundExpression[] }
  | { kind: 'not'; type: SqlType; arg: BoundExpression }
  /** IS [NOT] NULL. */
  | { kind: 'is-null'; type: SqlType; arg: BoundExpression; negated: boolean }
  /** x IN (a, b, ...) with SQL's NULL rules: no match and a NULL in the list gives NULL. */
  | { kind: 'in-list'; type: SqlType; arg: BoundExpression; list: BoundExpression[]; negated: boolean }
  | { kind: 'case'; type: SqlType; whens: { when: BoundExpression; then: BoundExpression }[]; else: BoundExpression }
  /** COALESCE: the first argument that is not NULL. */
  | { kind: 'coalesce'; type: SqlType; args: BoundExpression[] };

export type BoundExpressionKind = BoundExpression['kind'];
