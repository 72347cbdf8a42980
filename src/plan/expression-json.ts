import { SabotError, SqlState } from '../errors.js';
import type { FunctionRegistry } from '../functions/scalar-function.js';
import { typeByName, Types, type SqlType, type TypeKind } from '../types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, parseText } from '../types/text-format.js';
import type { BoundExpression } from './expression.js';

/**
 * A bound expression as JSON, for the job graph: types by kind, constants in their
 * Postgres text form, functions by name and argument types (resolved again when an
 * agent loads the graph, so the registry stays the one definition of each function).
 */
export type ExpressionJson =
  | { kind: 'constant'; type: TypeKind; value: string | null }
  | { kind: 'parameter'; type: TypeKind; index: number }
  | { kind: 'column'; type: TypeKind; index: number; name: string }
  | { kind: 'call'; type: TypeKind; fn: string; argTypes: TypeKind[]; args: ExpressionJson[] }
  | { kind: 'cast'; type: TypeKind; expr: ExpressionJson }
  | { kind: 'and' | 'or'; args: ExpressionJson[] }
  | { kind: 'not'; arg: ExpressionJson }
  | { kind: 'is-null'; arg: ExpressionJson; negated: boolean }
  | { kind: 'in-list'; arg: ExpressionJson; list: ExpressionJson[]; negated: boolean }
  | { kind: 'case'; type: TypeKind; whens: { when: ExpressionJson; then: ExpressionJson }[]; else: ExpressionJson }
  | { kind: 'coalesce'; type: TypeKind; args: ExpressionJson[] };

function typeOf(kind: TypeKind): SqlType {
  const t = (Types as Record<string, SqlType>)[kind] ?? typeByName(kind);
  if (!t) throw new SabotError(SqlState.invalidParameterValue, `invalid job graph: unknown type ${kind}`);
  return t;
}

export function expressionToJson(e: BoundExpression): ExpressionJson {
  switch (e.kind) {
    case 'constant':
      return { kind: 'constant', type: e.type.kind, value: e.value === null ? null : formatText(e.type, e.value, DEFAULT_FORMAT_SETTINGS) };
    case 'parameter':
      return { kind: 'parameter', type: e.type.kind, index: e.index };
    case 'column':
      return { kind: 'column', type: e.type.kind, index: e.index, name: e.name };
    case 'call':
      return { kind: 'call', type: e.type.kind, fn: e.fn.name, argTypes: e.fn.argTypes.map((t) => t.kind), args: e.args.map(expressionToJson) };
    case 'cast':
      return { kind: 'cast', type: e.type.kind, expr: expressionToJson(e.expr) };
    case 'and':
    case 'or':
      return { kind: e.kind, args: e.args.map(expressionToJson) };
    case 'not':
      return { kind: 'not', arg: expressionToJson(e.arg) };
    case 'is-null':
      return { kind: 'is-null', arg: expressionToJson(e.arg), negated: e.negated };
    case 'in-list':
      return { kind: 'in-list', arg: expressionToJson(e.arg), list: e.list.map(expressionToJson), negated: e.negated };
    case 'case':
      return {
        kind: 'case', type: e.type.kind,
        whens: e.whens.map((w) => ({ when: expressionToJson(w.when), then: expressionToJson(w.then) })),
        else: expressionToJson(e.else),
      };
    case 'coalesce':
      return { kind: 'coalesce', type: e.type.kind, args: e.args.map(expressionToJson) };
  }
}

export function expressionFromJson(j: ExpressionJson, functions: FunctionRegistry): BoundExpression {
  const from = (x: ExpressionJson) => expressionFromJson(x, functions);
  switch (j.kind) {
    case 'constant': {
      const type = typeOf(j.type);
      return { kind: 'constant', type, value: j.value === null ? null : parseText(type, j.value, DEFAULT_FORMAT_SETTINGS) };
    }
    case 'parameter':
      return { kind: 'parameter', type: typeOf(j.type), index: j.index };
    case 'column':
      return { kind: 'column', type: typeOf(j.type), index: j.index, name: j.name };
    case 'call': {
      const fn = functions.overloads(j.fn).find((f) =>
        f.argTypes.length === j.argTypes.length && f.argTypes.every((t, i) => t.kind === j.argTypes[i]));
      if (!fn) throw new SabotError(SqlState.undefinedFunction, `invalid job graph: no function ${j.fn}(${j.argTypes.join(', ')})`);
      return { kind: 'call', type: typeOf(j.type), fn, args: j.args.map(from) };
    }
    case 'cast':
      return { kind: 'cast', type: typeOf(j.type), expr: from(j.expr) };
    case 'and':
    case 'or':
      return { kind: j.kind, type: Types.bool, args: j.args.map(from) };
    case 'not':
      return { kind: 'not', type: Types.bool, arg: from(j.arg) };
    case 'is-null':
      return { kind: 'is-null', type: Types.bool, arg: from(j.arg), negated: j.negated };
    case 'in-list':
      return { kind: 'in-list', type: Types.bool, arg: from(j.arg), list: j.list.map(from), negated: j.negated };
    case 'case':
      return { kind: 'case', type: typeOf(j.type), whens: j.whens.map((w) => ({ when: from(w.when), then: from(w.then) })), else: from(j.else) };
    case 'coalesce':
      return { kind: 'coalesce', type: typeOf(j.type), args: j.args.map(from) };
  }
}

/** SQL-like text of an expression, for EXPLAIN and plan tests. */
export function expressionText(e: BoundExpression): string {
  switch (e.kind) {
    case 'constant':
      if (e.value === null) return 'NULL';
      return e.type.kind === 'text' || e.type.kind === 'unknown' || e.type.kind === 'varchar'
        ? `'${String(e.value).replace(/'/g, "''")}'`
        : formatText(e.type, e.value, DEFAULT_FORMAT_SETTINGS);
    case 'parameter':
      return `$${e.index + 1}`;
    case 'column':
      return e.name;
    case 'call':
      return /^[a-z_]/.test(e.fn.name)
        ? `${e.fn.name}(${e.args.map(expressionText).join(', ')})`
        : e.args.length === 1 ? `(${e.fn.name}${expressionText(e.args[0]!)})`
          : `(${expressionText(e.args[0]!)} ${e.fn.name} ${expressionText(e.args[1]!)})`;
    case 'cast':
      return `CAST(${expressionText(e.expr)} AS ${e.type.name})`;
    case 'and':
    case 'or':
      return `(${e.args.map(expressionText).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not':
      return `(NOT ${expressionText(e.arg)})`;
    case 'is-null':
      return `(${expressionText(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'in-list':
      return `(${expressionText(e.arg)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(expressionText).join(', ')}))`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${expressionText(w.when)} THEN ${expressionText(w.then)}`).join(' ')} ELSE ${expressionText(e.else)} END`;
    case 'coalesce':
      return `COALESCE(${e.args.map(expressionText).join(', ')})`;
  }
}
