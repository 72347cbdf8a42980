import type { Decimal } from '../types/decimal.js';
import type { Interval } from '../types/interval.js';
import { Types, type SqlType } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

export type Comparator = (a: unknown, b: unknown) => number;

const compareNumbers: Comparator = (a, b) => {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // NaN sorts above every other value and equals itself, as in Postgres.
  return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
};

const compareBigInts: Comparator = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
const compareStrings: Comparator = (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
const compareBools: Comparator = (a, b) => Number(a) - Number(b);
const compareBytes: Comparator = (a, b) => Buffer.compare(a as Uint8Array, b as Uint8Array);

/** The ordering of a type's values, or undefined for a type without one. */
export function comparatorFor(type: SqlType): Comparator | undefined {
  switch (type.kind) {
    case 'int2': case 'int4': case 'oid': case 'float4': case 'float8':
    case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return compareNumbers;
    case 'int8':
      return compareBigInts;
    case 'numeric':
      return (a, b) => (a as Decimal).compare(b as Decimal);
    case 'interval':
      return (a, b) => (a as Interval).compare(b as Interval);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'jsonb':
      return compareStrings;
    case 'bool':
      return compareBools;
    case 'bytea':
      return compareBytes;
    case 'json': case 'unknown': case 'void':
      return undefined;
  }
}

const comparable: SqlType[] = [
  Types.bool, Types.int2, Types.int4, Types.int8, Types.float4, Types.float8, Types.numeric, Types.text,
  Types.varchar, Types.bpchar, Types.name, Types.bytea, Types.date, Types.time, Types.timestamp,
  Types.timestamptz, Types.interval, Types.jsonb, Types.oid,
];

/** = <> < <= > >=, IS [NOT] DISTINCT FROM, IS TRUE & co, greatest and least. */
export function registerComparison(r: FunctionRegistry): void {
  const ops: [string, (c: number) => boolean][] = [
    ['=', (c) => c === 0], ['<>', (c) => c !== 0], ['<', (c) => c < 0],
    ['<=', (c) => c <= 0], ['>', (c) => c > 0], ['>=', (c) => c >= 0],
  ];
  for (const type of comparable) {
    const cmp = comparatorFor(type)!;
    for (const [name, test] of ops) {
      r.add({ name, argTypes: [type, type], returnType: Types.bool, impl: ([a, b]) => test(cmp(a, b)) });
    }
    r.add({
      name: 'is distinct from', argTypes: [type, type], returnType: Types.bool, strict: false,
      impl: ([a, b]) => (a === null || b === null ? a !== b : cmp(a, b) !== 0),
    });
    for (const [name, pick] of [['greatest', 1], ['least', -1]] as const) {
      r.add({
        name, argTypes: [type], variadic: true, returnType: type, strict: false,
        impl: (args) => {
          let best: unknown = null;
          for (const v of args) if (v !== null && (best === null || cmp(v, best) * pick > 0)) best = v;
          return best;
        },
      });
    }
  }
  const truth: [string, (v: unknown) => boolean][] = [
    ['is true', (v) => v === true], ['is not true', (v) => v !== true],
    ['is false', (v) => v === false], ['is not false', (v) => v !== false],
    ['is unknown', (v) => v === null], ['is not unknown', (v) => v !== null],
  ];
  for (const [name, test] of truth) {
    r.add({ name, argTypes: [Types.bool], returnType: Types.bool, strict: false, impl: ([v]) => test(v) });
  }
}
