import { SabotError, SqlState } from '../../errors.js';
import { comparatorFor } from '../../functions/comparison.js';
import { evaluateAll, evaluateScalar, type ScalarScope } from '../../plan/evaluate.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { Expression } from '../../sql/ast.js';
import type { ColumnScope, ExpressionBinder } from '../../sql/binder/expression-binder.js';
import { Decimal } from '../../types/decimal.js';
import type { SqlType } from '../../types/sql-type.js';
import {
  aggregateResultType, childExpressions, containsAggregate, expressionShape, isAggregateCall, rewriteExpression,
} from '../../sql/binder/aggregate-calls.js';

type Rows = unknown[][];

interface AggregateCall {
  name: 'count' | 'sum' | 'avg' | 'min' | 'max';
  arg: BoundExpression | null;
  distinct: boolean;
  type: SqlType;
}

/** Running state of one aggregate in one group. */
class Accumulator {
  count = 0;
  sum: bigint | number | Decimal | null = null;
  best: unknown = null;
  seen: Set<string> | undefined;

  constructor(private readonly call: AggregateCall) {
    if (call.distinct) this.seen = new Set();
  }

  add(v: unknown): void {
    const { name } = this.call;
    if (this.call.arg === null) { this.count++; return; }
    if (v === null) return;
    if (this.seen) {
      const key = typeof v === 'object' ? String(v) : `${typeof v}:${String(v)}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    this.count++;
    if (name === 'min' || name === 'max') {
      const c = this.best === null ? 0 : comparatorFor(this.call.arg.type)!(v, this.best);
      if (this.best === null || (name === 'min' ? c < 0 : c > 0)) this.best = v;
    } else if (name === 'sum' || name === 'avg') {
      this.sum = addTo(this.sum, v, this.call.arg.type);
    }
  }

  result(): unknown {
    switch (this.call.name) {
      case 'count': return BigInt(this.count);
      case 'min': case 'max': return this.best;
      case 'sum':
        if (this.sum === null) return null;
        return this.call.type.kind === 'numeric' && typeof this.sum === 'bigint' ? Decimal.fromBigInt(this.sum) : this.sum;
      case 'avg': {
        if (this.sum === null) return null;
        if (typeof this.sum === 'number') return this.sum / this.count;
        const total = typeof this.sum === 'bigint' ? Decimal.fromBigInt(this.sum) : this.sum;
        return total.div(Decimal.fromBigInt(BigInt(this.count)));
      }
    }
  }
}

function addTo(sum: bigint | number | Decimal | null, v: unknown, type: SqlType): bigint | number | Decimal {
  switch (type.kind) {
    case 'int2': case 'int4': return ((sum as bigint | null) ?? 0n) + BigInt(v as number);
    case 'int8': return ((sum as bigint | null) ?? 0n) + (v as bigint);
    case 'numeric': return sum === null ? (v as Decimal) : (sum as Decimal).add(v as Decimal);
    default: return ((sum as number | null) ?? 0) + (v as number);
  }
}

/** Grouping: what the select list sees after GROUP BY, and how to compute the groups. */
export interface Grouping {
  /** Rewrites an expression to refer to group keys and aggregate results only. */
  rewrite(e: Expression): Expression;
  /** Resolves those references; any other column is 42803. */
  scope: ColumnScope;
  /** Groups the input rows: one output row per group, [keys..., aggregates...]. */
  run(rows: Rows, scope: ScalarScope): Promise<Rows>;
}

const KEY = '\u0000group';
const AGG = '\u0000aggregate';

/**
 * GROUP BY and the aggregates count, sum, avg, min and max (with DISTINCT). A query
 * with aggregates and no GROUP BY is one group, so `SELECT count(*)` of no rows is 0.
 */
export function planGrouping(groupBy: readonly Expression[], uses: readonly Expression[], input: ExpressionBinder): Grouping {
  const keyShapes = groupBy.map(expressionShape);
  const keys = groupBy.map((g) => {
    if (containsAggregate(g)) throw new SabotError(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY', { position: g.pos + 1 });
    return input.settle(input.bind(g));
  });
  const calls: AggregateCall[] = [];
  const callShapes: string[] = [];
  const collect = (e: Expression): void => {
    if (isAggregateCall(e)) {
      const s = expressionShape(e);
      if (callShapes.includes(s)) return;
      const name = e.name[e.name.length - 1] as AggregateCall['name'];
      if (e.args.some(containsAggregate)) {
        throw new SabotError(SqlState.groupingError, 'aggregate function calls cannot be nested', { position: e.pos + 1 });
      }
      if (e.star ? name !== 'count' : e.args.length !== 1) {
        throw new SabotError(SqlState.undefinedFunction, `function ${name} takes one argument${name === 'count' ? ' or *' : ''}`, { position: e.pos + 1 });
      }
      if (e.filter || e.orderBy.length > 0) {
        throw new SabotError(SqlState.featureNotSupported, 'FILTER and ORDER BY in aggregates are not supported yet', { position: e.pos + 1 });
      }
      const arg = e.star ? null : input.settle(input.bind(e.args[0]!));
      calls.push({ name, arg, distinct: e.distinct, type: aggregateResultType(name, arg?.type, e.pos) });
      callShapes.push(s);
      return;
    }
    childExpressions(e).forEach(collect);
  };
  uses.forEach(collect);
  const ref = (name: string, pos: number): Expression => ({ kind: 'column', table: null, name, pos });
  return {
    rewrite: (e) => rewriteExpression(e, (x) => {
      const k = keyShapes.indexOf(expressionShape(x));
      if (k >= 0) return ref(`${KEY}${k}`, x.pos);
      const a = isAggregateCall(x) ? callShapes.indexOf(expressionShape(x)) : -1;
      return a >= 0 ? ref(`${AGG}${a}`, x.pos) : undefined;
    }),
    scope: {
      resolve: (r) => {
        if (r.name.startsWith(KEY)) {
          const k = Number(r.name.slice(KEY.length));
          return { kind: 'column', type: keys[k]!.type, index: k, name: r.name };
        }
        if (r.name.startsWith(AGG)) {
          const a = Number(r.name.slice(AGG.length));
          return { kind: 'column', type: calls[a]!.type, index: keys.length + a, name: r.name };
        }
        const name = r.table ? `${r.table}.${r.name}` : r.name;
        throw new SabotError(SqlState.groupingError,
          `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: r.pos + 1 });
      },
    },
    run: async (rows, scope) => {
      const groups = new Map<string, { key: unknown[]; accs: Accumulator[] }>();
      for (const row of rows) {
        const key = await evaluateAll(keys, row, scope);
        const id = JSON.stringify(key, (_, v) => (typeof v === 'bigint' ? `${v}n` : v !== null && typeof v === 'object' ? String(v) : v));
        let g = groups.get(id);
        if (!g) groups.set(id, g = { key, accs: calls.map((c) => new Accumulator(c)) });
        for (let i = 0; i < calls.length; i++) {
          const arg = calls[i]!.arg;
          g.accs[i]!.add(arg === null ? null : await evaluateScalar(arg, row, scope));
        }
      }
      if (groups.size === 0 && keys.length === 0) groups.set('', { key: [], accs: calls.map((c) => new Accumulator(c)) });
      return [...groups.values()].map((g) => [...g.key, ...g.accs.map((a) => a.result())]);
    },
  };
}
