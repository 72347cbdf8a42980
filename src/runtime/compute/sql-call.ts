import { Field, type Vector } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { builtinFunctions } from '../../functions/builtins.js';
import { castValue } from '../../functions/cast.js';
import type { ColumnRef, Expression, Parameter } from '../../sql/ast.js';
import { ExpressionBinder, ParameterTypes, type ColumnScope } from '../../sql/binder/expression-binder.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../types/text-format.js';
import { arrowType, type ColumnSchema } from '../arrow-types.js';
import { compileExpression, type CompiledExpression } from '../expressions/index.js';
import { dataflowEvalContext } from '../operator-chain.js';
import { sqlTypeOfArrow } from './arrow-sql-type.js';
import { batchOf, type Datum, isVector, onlyChunk, scalarType, scalarValue } from './datum.js';

/** An SQL expression over the arguments, compiled for one combination of argument types. */
interface CompiledCall {
  expr: CompiledExpression;
  columns: ColumnSchema[];
  /** The type each scalar argument was bound to (an untyped string takes the type it meets). */
  paramTypes: SqlType[];
}

const functions = builtinFunctions();
const ctx = dataflowEvalContext(new AbortController().signal);
const compiled = new Map<string, CompiledCall>();

function column(i: number): ColumnRef {
  return { kind: 'column', table: null, name: `arg${i}`, pos: 0 };
}

function compile(syntax: (args: Expression[]) => Expression, args: readonly Datum[]): CompiledCall {
  const columns: ColumnSchema[] = [];
  const declared: (SqlType | undefined)[] = [];
  const refs = args.map((a): Expression => {
    if (isVector(a)) {
      columns.push({ name: `arg${columns.length}`, type: sqlTypeOfArrow(a.type), nullable: true });
      return column(columns.length - 1);
    }
    const type = scalarType(a);
    declared.push(type.kind === 'unknown' ? undefined : type);
    return { kind: 'parameter', index: declared.length, pos: 0 } satisfies Parameter;
  });
  const scope: ColumnScope = {
    resolve: (ref) => {
      const i = columns.findIndex((c) => c.name === ref.name);
      return i < 0 ? undefined : { kind: 'column', type: columns[i]!.type, index: i, name: ref.name };
    },
  };
  const params = new ParameterTypes(declared);
  const binder = new ExpressionBinder(functions, params, scope, () => DEFAULT_FORMAT_SETTINGS);
  const bound = binder.settle(binder.bind(syntax(refs)));
  return { expr: compileExpression(bound, columns, ctx), columns, paramTypes: params.final() };
}

/**
 * Evaluates an SQL expression over vectors and scalars with the kernels SQL runs on:
 * `syntax` builds the expression's syntax tree from one node per argument (a column for
 * a Vector, a parameter for a scalar); it is bound as SQL binds it (overloads, implicit
 * casts) and compiled once per combination of argument types.
 */
export function sqlCall(name: string, args: readonly Datum[], syntax: (args: Expression[]) => Expression): Vector {
  const vectors = args.filter(isVector);
  if (vectors.length === 0) throw new SabotError(SqlState.invalidParameterValue, `compute.${name} needs at least one Vector argument`);
  const length = vectors[0]!.length;
  if (vectors.some((v) => v.length !== length)) {
    throw new SabotError(SqlState.invalidParameterValue, `compute.${name}: the Vectors have different lengths (${vectors.map((v) => v.length).join(', ')})`);
  }
  const key = `${name}(${args.map((a) => (isVector(a) ? sqlTypeOfArrow(a.type).kind : `$${scalarType(a).kind}`)).join(',')})`;
  let call = compiled.get(key);
  if (call === undefined) {
    call = compile(syntax, args);
    compiled.set(key, call);
  }
  const scalars = args.filter((a) => !isVector(a));
  const params = scalars.map((s, i) => {
    const type = call.paramTypes[i]!;
    const value = scalarValue(s as Exclude<Datum, Vector>, type);
    // An untyped string is read as a literal of the type it was bound to.
    return typeof value === 'string' && type.kind !== 'text' ? castValue(value, Types.unknown, type, DEFAULT_FORMAT_SETTINGS) : value;
  });
  const fields = call.columns.map((c) => new Field(c.name, arrowType(c.type), true));
  const batch = batchOf(fields, vectors.map((v) => onlyChunk(v, `compute.${name}`)), length);
  return call.expr.evaluateVector(batch, params);
}
