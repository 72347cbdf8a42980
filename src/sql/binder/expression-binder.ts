import { SabotError, SqlState } from '../../errors.js';
import type { FunctionRegistry, ScalarFunction } from '../../functions/scalar-function.js';
import { castValue } from '../../functions/cast.js';
import { TEXT_OUTPUT } from '../../functions/string-build.js';
import type { BoundExpression } from '../../plan/expression.js';
import { Interval } from '../../types/interval.js';
import { isTextual, Types, typeByName, type SqlType } from '../../types/sql-type.js';
import type { FormatSettings } from '../../types/text-format.js';
import type { ColumnRef, Expression, TypeName } from '../ast.js';
import { commonType, implicitCastCost } from './coercion.js';

/** Resolves column references; a query without FROM has none. */
export interface ColumnScope {
  resolve(ref: ColumnRef): BoundExpression | undefined;
}

export const emptyScope: ColumnScope = { resolve: () => undefined };

/**
 * Types of `$n` parameters: given by the client (Parse), or inferred from where they are
 * used (`$1::int`, `$1 + 1`); whatever stays unknown is text, as in Postgres.
 */
export class ParameterTypes {
  private readonly types: (SqlType | undefined)[];

  constructor(declared: readonly (SqlType | undefined)[] = []) {
    this.types = [...declared];
  }

  get(index: number): SqlType | undefined {
    return this.types[index];
  }

  infer(index: number, type: SqlType): void {
    if (this.types[index] === undefined || this.types[index]!.kind === 'unknown') this.types[index] = type;
  }

  /** Makes sure $index exists (a gap `$1, $3` leaves $2 to be typed text). */
  touch(index: number): void {
    while (this.types.length <= index) this.types.push(undefined);
  }

  final(): SqlType[] {
    return this.types.map((t) => (t === undefined || t.kind === 'unknown' ? Types.text : t));
  }
}

export function resolveTypeName(name: TypeName): SqlType {
  const type = typeByName(name.name);
  if (!type || name.array) {
    throw new SabotError(SqlState.undefinedObject, `type "${name.name}${name.array ? '[]' : ''}" does not exist`,
      { position: name.pos + 1 });
  }
  return type;
}

function describeTypes(types: readonly SqlType[]): string {
  return types.map((t) => t.name).join(', ');
}

/**
 * The error for types without a common type, naming the first two that clash as
 * Postgres does (`CASE types boolean and integer cannot be matched`).
 */
function unmatchedTypes(construct: string, types: readonly SqlType[], pos: number): SabotError {
  let common = types[0]!;
  let clash = types[1] ?? common;
  for (const t of types.slice(1)) {
    const next = commonType([common, t]);
    if (!next) {
      clash = t;
      break;
    }
    common = next;
  }
  return new SabotError(SqlState.datatypeMismatch, `${construct} types ${common.name} and ${clash.name} cannot be matched`,
    { position: pos + 1 });
}

/** Binds syntax-tree expressions to typed expressions (see plan/expression.ts). */
export class ExpressionBinder {
  constructor(
    private readonly functions: FunctionRegistry,
    private readonly params: ParameterTypes,
    private readonly scope: ColumnScope,
    private readonly settings: () => FormatSettings,
  ) {}

  bind(e: Expression): BoundExpression {
    switch (e.kind) {
      case 'literal':
        return this.literal(e);
      case 'typed-literal': {
        const type = resolveTypeName(e.type);
        return { kind: 'constant', type, value: this.parseConstant(e.value, type, e.pos) };
      }
      case 'interval-literal':
        return {
          kind: 'constant', type: Types.interval,
          value: this.atPosition(e.pos, () => Interval.parse(e.value, e.unit ?? undefined, e.toUnit ?? undefined)),
        };
      case 'parameter': {
        const index = e.index - 1;
        this.params.touch(index);
        return { kind: 'parameter', type: this.params.get(index) ?? Types.unknown, index };
      }
      case 'column': {
        const bound = this.scope.resolve(e);
        if (!bound) {
          const name = e.table ? `${e.table}.${e.name}` : e.name;
          throw new SabotError(SqlState.undefinedColumn, `column "${name}" does not exist`, { position: e.pos + 1 });
        }
        return bound;
      }
      case 'unary':
        if (e.op === 'not') return { kind: 'not', type: Types.bool, arg: this.coerce(this.bind(e.operand), Types.bool, e.pos) };
        if (e.op === '+') return this.bind(e.operand);
        return this.operator('-', [this.bind(e.operand)], e.pos, true);
      case 'binary':
        return this.binary(e.op, e.left, e.right, e.pos);
      case 'like': {
        const name = e.caseInsensitive ? '~~*' : '~~';
        const args = [this.bind(e.expr), this.bind(e.pattern)];
        if (e.escape) args.push(this.bind(e.escape));
        const call = this.call(name, args, e.pos, 'operator');
        return e.negated ? { kind: 'not', type: Types.bool, arg: call } : call;
      }
      case 'is': {
        const arg = this.bind(e.expr);
        if (e.test === 'null') return { kind: 'is-null', type: Types.bool, arg: this.settle(arg), negated: e.negated };
        const name = `is ${e.negated ? 'not ' : ''}${e.test}`;
        return this.call(name, [this.coerce(arg, Types.bool, e.pos)], e.pos, 'operator');
      }
      case 'is-distinct': {
        const call = this.operator('is distinct from', [this.bind(e.left), this.bind(e.right)], e.pos);
        return e.negated ? { kind: 'not', type: Types.bool, arg: call } : call;
      }
      case 'between': {
        const x = this.bind(e.expr);
        const low = this.bind(e.low);
        const high = this.bind(e.high);
        const inRange = (lo: BoundExpression, hi: BoundExpression): BoundExpression => ({
          kind: 'and', type: Types.bool,
          args: [this.operator('>=', [x, lo], e.pos), this.operator('<=', [x, hi], e.pos)],
        });
        let test = inRange(low, high);
        if (e.symmetric) test = { kind: 'or', type: Types.bool, args: [test, inRange(high, low)] };
        return e.negated ? { kind: 'not', type: Types.bool, arg: test } : test;
      }
      case 'in-list': {
        const arg = this.bind(e.expr);
        const list = e.list.map((x) => this.bind(x));
        const common = commonType([arg.type, ...list.map((x) => x.type)]);
        if (!common) throw unmatchedTypes('IN', [arg.type, ...list.map((x) => x.type)], e.pos);
        // Untyped literals only ('b' IN ('a', 'b')) compare as text.
        const type = common.kind === 'unknown' ? Types.text : common;
        // Comparing through the '=' operator of the common type checks it has one.
        this.operator('=', [this.coerce(arg, type, e.pos), this.coerce(list[0]!, type, e.pos)], e.pos);
        return {
          kind: 'in-list', type: Types.bool, negated: e.negated,
          arg: this.coerce(arg, type, e.pos), list: list.map((x) => this.coerce(x, type, e.pos)),
        };
      }
      case 'cast': {
        const type = resolveTypeName(e.type);
        return this.cast(this.bind(e.expr), type, e.pos);
      }
      case 'case':
        return this.caseExpression(e);
      case 'function':
        return this.functionCall(e);
      case 'in-subquery':
      case 'exists':
      case 'scalar-subquery':
        throw new SabotError(SqlState.featureNotSupported, 'subqueries in expressions are not supported yet',
          { position: e.pos + 1 });
    }
  }

  private literal(e: Extract<Expression, { kind: 'literal' }>): BoundExpression {
    switch (e.type) {
      case 'integer': {
        const n = BigInt(e.value);
        if (n >= -2147483648n && n <= 2147483647n) return { kind: 'constant', type: Types.int4, value: Number(n) };
        if (n >= -9223372036854775808n && n <= 9223372036854775807n) return { kind: 'constant', type: Types.int8, value: n };
        return { kind: 'constant', type: Types.numeric, value: this.parseConstant(e.value, Types.numeric, e.pos) };
      }
      case 'decimal':
        return { kind: 'constant', type: Types.numeric, value: this.parseConstant(e.value, Types.numeric, e.pos) };
      case 'string':
        return { kind: 'constant', type: Types.unknown, value: e.value };
      case 'boolean':
        return { kind: 'constant', type: Types.bool, value: e.value };
      case 'null':
        return { kind: 'constant', type: Types.unknown, value: null };
    }
  }

  private atPosition<T>(pos: number, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof SabotError && err.position === undefined) err.position = pos + 1;
      throw err;
    }
  }

  private parseConstant(text: string, type: SqlType, pos: number): unknown {
    return this.atPosition(pos, () => castValue(text, Types.unknown, type, this.settings()));
  }

  /** Gives a still-untyped expression (a string literal, NULL, `$1`) the type text. */
  settle(e: BoundExpression): BoundExpression {
    return e.type.kind === 'unknown' ? this.coerce(e, Types.text, 0) : e;
  }

  /** Converts an expression to a type by an implicit cast (or an error). */
  coerce(e: BoundExpression, type: SqlType, pos: number): BoundExpression {
    if (e.type.kind === type.kind) return e;
    if (e.type.kind === 'unknown') return this.cast(e, type, pos);
    if (implicitCastCost(e.type, type) === Infinity) {
      throw new SabotError(SqlState.datatypeMismatch,
        `argument of type ${e.type.name} cannot be used where ${type.name} is expected`, { position: pos + 1 });
    }
    return this.cast(e, type, pos);
  }

  /** An explicit cast; casts of constants happen now, so bad input is reported at its position. */
  cast(e: BoundExpression, type: SqlType, pos: number): BoundExpression {
    if (e.kind === 'parameter' && e.type.kind === 'unknown') {
      this.params.infer(e.index, type);
      return { kind: 'parameter', type, index: e.index };
    }
    if (e.type.kind === type.kind) return e;
    if (e.kind === 'constant') {
      return { kind: 'constant', type, value: this.atPosition(pos, () => castValue(e.value, e.type, type, this.settings())) };
    }
    return { kind: 'cast', type, expr: e };
  }

  private binary(op: string, left: Expression, right: Expression, pos: number): BoundExpression {
    if (op === 'and' || op === 'or') {
      const args = [this.coerce(this.bind(left), Types.bool, left.pos), this.coerce(this.bind(right), Types.bool, right.pos)];
      // Flatten chains so evaluation and later rewrites see one n-ary node.
      const flat = args.flatMap((a) => (a.kind === op ? a.args : [a]));
      return { kind: op, type: Types.bool, args: flat };
    }
    return this.operator(op, [this.bind(left), this.bind(right)], pos);
  }

  private operator(name: string, args: BoundExpression[], pos: number, prefix = false): BoundExpression {
    return this.call(name, args, pos, prefix ? 'prefix operator' : 'operator');
  }

  /** Resolves an overload by the lowest total implicit-cast cost and casts the arguments. */
  call(name: string, args: BoundExpression[], pos: number, what: 'function' | 'operator' | 'prefix operator'): BoundExpression {
    const fn = this.resolve(name, args.map((a) => a.type));
    if (!fn) {
      const types = args.map((a) => a.type);
      const signature = what === 'function' ? `function ${name}(${describeTypes(types)})`
        : what === 'prefix operator' ? `operator ${name} ${types[0]!.name}`
          : args.length === 1 ? `operator ${name} ${types[0]!.name}`
            : `operator ${types[0]!.name} ${name} ${types[1]!.name}`;
      throw new SabotError(SqlState.undefinedFunction, `${what === 'function' ? '' : 'operator does not exist: '}${what === 'function' ? signature + ' does not exist' : signature.replace(/^operator /, '')}`, {
        position: pos + 1,
        hint: `No ${what === 'function' ? 'function' : 'operator'} matches the given name and argument types. You might need to add explicit type casts.`,
      });
    }
    const cast = args.map((a, i) => this.coerce(a, argType(fn, i), pos));
    return { kind: 'call', type: fn.returnType, fn, args: cast };
  }

  private resolve(name: string, types: readonly SqlType[]): ScalarFunction | undefined {
    let best: ScalarFunction | undefined;
    let bestCost = Infinity;
    for (const fn of this.functions.overloads(name)) {
      if (fn.variadic ? types.length < fn.argTypes.length : types.length !== fn.argTypes.length) continue;
      let cost = 0;
      for (let i = 0; i < types.length && cost < Infinity; i++) cost += implicitCastCost(types[i]!, argType(fn, i));
      if (cost < bestCost) {
        best = fn;
        bestCost = cost;
      }
    }
    return best;
  }

  private caseExpression(e: Extract<Expression, { kind: 'case' }>): BoundExpression {
    const operand = e.operand ? this.bind(e.operand) : null;
    const whens = e.whens.map((w) => {
      const when = operand
        ? this.operator('=', [operand, this.bind(w.when)], w.when.pos)
        : this.coerce(this.bind(w.when), Types.bool, w.when.pos);
      return { when, then: this.bind(w.then) };
    });
    const otherwise = e.else ? this.bind(e.else) : ({ kind: 'constant', type: Types.unknown, value: null } as const);
    // Postgres looks at the ELSE branch first.
    const results = [otherwise, ...whens.map((w) => w.then)];
    const type = this.resultType(results.map((r) => r.type), 'CASE', e.pos);
    return {
      kind: 'case', type,
      whens: whens.map((w) => ({ when: w.when, then: this.coerce(w.then, type, e.pos) })),
      else: this.coerce(otherwise, type, e.pos),
    };
  }

  private resultType(types: SqlType[], construct: string, pos: number): SqlType {
    const type = commonType(types);
    if (!type) throw unmatchedTypes(construct, types, pos);
    return type.kind === 'unknown' ? Types.text : type;
  }

  private functionCall(e: Extract<Expression, { kind: 'function' }>): BoundExpression {
    const name = e.name[e.name.length - 1]!;
    if (e.name.length > 1 && e.name[0] !== 'pg_catalog') {
      throw new SabotError(SqlState.undefinedFunction, `function ${e.name.join('.')} does not exist`, { position: e.pos + 1 });
    }
    if (e.over || e.filter || e.distinct || e.star || e.orderBy.length > 0) {
      throw new SabotError(SqlState.featureNotSupported,
        `aggregate and window calls are not supported here: ${name}`, { position: e.pos + 1 });
    }
    const args = e.args.map((a) => this.bind(a));
    switch (name) {
      case 'coalesce': {
        const type = this.resultType(args.map((a) => a.type), 'COALESCE', e.pos);
        return { kind: 'coalesce', type, args: args.map((a) => this.coerce(a, type, e.pos)) };
      }
      case 'nullif': {
        if (args.length !== 2) break;
        const [a, b] = args as [BoundExpression, BoundExpression];
        const type = this.resultType([a.type], 'NULLIF', e.pos);
        return {
          kind: 'case', type,
          whens: [{ when: this.operator('=', [a, b], e.pos), then: { kind: 'constant', type, value: null } }],
          else: this.coerce(a, type, e.pos),
        };
      }
      case 'concat':
      case 'concat_ws': {
        // Arguments of any type, each formatted by its output function (see string-build.ts).
        const first = name === 'concat_ws' ? 1 : 0;
        if (args.length <= first) break;
        const texts = args.map((a, i) => (i < first || isTextual(a.type) ? this.settle(a) : this.call(TEXT_OUTPUT, [a], e.pos, 'function')));
        return this.call(name, texts, e.pos, 'function');
      }
      case 'greatest':
      case 'least': {
        if (args.length === 0) break;
        const type = this.resultType(args.map((a) => a.type), name.toUpperCase(), e.pos);
        return this.call(name, args.map((a) => this.coerce(a, type, e.pos)), e.pos, 'function');
      }
    }
    return this.call(name, args, e.pos, 'function');
  }
}

function argType(fn: ScalarFunction, i: number): SqlType {
  return fn.argTypes[Math.min(i, fn.argTypes.length - 1)]!;
}
