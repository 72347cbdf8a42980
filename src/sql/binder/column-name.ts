import type { Expression } from '../ast.js';

/**
 * The name Postgres gives a result column that has no alias (FigureColname): a column's
 * own name, a function's name, a cast's inner name or else its type's internal name,
 * `case` for CASE, and `?column?` for anything else.
 */
export function columnName(e: Expression): string {
  return figure(e) ?? '?column?';
}

const internalTypeNames: Record<string, string> = {
  integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', float: 'float8',
  'double precision': 'float8', boolean: 'bool', decimal: 'numeric', 'character varying': 'varchar',
  character: 'bpchar', char: 'bpchar', 'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz', 'time without time zone': 'time',
};

function figure(e: Expression): string | undefined {
  switch (e.kind) {
    case 'column':
      return e.name;
    case 'function':
      return e.name[e.name.length - 1];
    case 'cast':
      return figure(e.expr) ?? internalTypeNames[e.type.name] ?? e.type.name;
    case 'typed-literal':
      return internalTypeNames[e.type.name] ?? e.type.name;
    case 'interval-literal':
      return 'interval';
    case 'case':
      return 'case';
    case 'literal':
      return e.type === 'boolean' ? 'bool' : undefined;
    case 'exists':
      return 'exists';
    case 'scalar-subquery':
    case 'parameter':
    case 'unary':
    case 'binary':
    case 'like':
    case 'is':
    case 'is-distinct':
    case 'between':
    case 'in-list':
    case 'in-subquery':
      return undefined;
  }
}
