/**
 * The SQL types Sabot knows, with the Postgres names, OIDs and sizes they have on the wire.
 *
 * In-memory value of each kind (SQL NULL is always `null`):
 * - bool: boolean · int2, int4, oid: number · int8: bigint · float4, float8: number
 * - numeric: Decimal (./decimal.ts)
 * - text, varchar, name, bpchar, unknown: string · bytea: Uint8Array
 * - timestamp, timestamptz: number, microseconds since 1970-01-01 00:00:00 (UTC for
 *   timestamptz; the wall clock read as UTC for timestamp)
 * - date: number, days since 1970-01-01 · time: number, microseconds since midnight
 * - interval: Interval (./interval.ts) · jsonb, json: string (jsonb in canonical text form)
 * - void: null
 */
export type TypeKind =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric'
  | 'text' | 'varchar' | 'bpchar' | 'name' | 'unknown' | 'bytea'
  | 'timestamp' | 'timestamptz' | 'date' | 'time' | 'interval'
  | 'json' | 'jsonb' | 'oid' | 'void';

export interface SqlType {
  readonly kind: TypeKind;
  readonly oid: number;
  /** The name Postgres prints (format_type): `integer`, `double precision`, ... */
  readonly name: string;
  /** pg_type.typlen: fixed size in bytes, or -1 for variable length, -2 for C strings. */
  readonly size: number;
}

const define = (kind: TypeKind, oid: number, name: string, size: number): SqlType =>
  Object.freeze({ kind, oid, name, size });

export const Types = {
  bool: define('bool', 16, 'boolean', 1),
  bytea: define('bytea', 17, 'bytea', -1),
  name: define('name', 19, 'name', 64),
  int8: define('int8', 20, 'bigint', 8),
  int2: define('int2', 21, 'smallint', 2),
  int4: define('int4', 23, 'integer', 4),
  text: define('text', 25, 'text', -1),
  oid: define('oid', 26, 'oid', 4),
  json: define('json', 114, 'json', -1),
  float4: define('float4', 700, 'real', 4),
  float8: define('float8', 701, 'double precision', 8),
  unknown: define('unknown', 705, 'unknown', -2),
  bpchar: define('bpchar', 1042, 'character', -1),
  varchar: define('varchar', 1043, 'character varying', -1),
  date: define('date', 1082, 'date', 4),
  time: define('time', 1083, 'time without time zone', 8),
  timestamp: define('timestamp', 1114, 'timestamp without time zone', 8),
  timestamptz: define('timestamptz', 1184, 'timestamp with time zone', 8),
  interval: define('interval', 1186, 'interval', 16),
  numeric: define('numeric', 1700, 'numeric', -1),
  void: define('void', 2278, 'void', 4),
  jsonb: define('jsonb', 3802, 'jsonb', -1),
} as const satisfies Record<TypeKind, SqlType>;

const byOid = new Map<number, SqlType>(Object.values(Types).map((t) => [t.oid, t]));

export function typeByOid(oid: number): SqlType | undefined {
  return byOid.get(oid);
}

/** Type names as users write them (lowercased, single spaces) mapped to types. */
const byName = new Map<string, SqlType>([
  ['bool', Types.bool], ['boolean', Types.bool],
  ['int2', Types.int2], ['smallint', Types.int2],
  ['int', Types.int4], ['int4', Types.int4], ['integer', Types.int4],
  ['int8', Types.int8], ['bigint', Types.int8],
  ['float4', Types.float4], ['real', Types.float4],
  ['float8', Types.float8], ['float', Types.float8], ['double precision', Types.float8],
  ['numeric', Types.numeric], ['decimal', Types.numeric],
  ['text', Types.text], ['varchar', Types.varchar], ['character varying', Types.varchar],
  ['char', Types.bpchar], ['character', Types.bpchar], ['bpchar', Types.bpchar],
  ['name', Types.name], ['bytea', Types.bytea], ['oid', Types.oid],
  ['timestamp', Types.timestamp], ['timestamp without time zone', Types.timestamp],
  ['timestamptz', Types.timestamptz], ['timestamp with time zone', Types.timestamptz],
  ['date', Types.date], ['time', Types.time], ['time without time zone', Types.time],
  ['interval', Types.interval], ['json', Types.json], ['jsonb', Types.jsonb],
  ['void', Types.void], ['unknown', Types.unknown],
]);

export function typeByName(name: string): SqlType | undefined {
  return byName.get(name.toLowerCase().replace(/\s+/g, ' '));
}

export function isNumeric(t: SqlType): boolean {
  return t.kind === 'int2' || t.kind === 'int4' || t.kind === 'int8' || t.kind === 'float4'
    || t.kind === 'float8' || t.kind === 'numeric';
}

export function isTextual(t: SqlType): boolean {
  return t.kind === 'text' || t.kind === 'varchar' || t.kind === 'bpchar' || t.kind === 'name'
    || t.kind === 'unknown';
}
