/**
 * Sabot's SQL syntax tree, as the grammar (grammar/sql.peggy) builds it. Every node has a
 * `kind`, so switches over a union are exhaustive and a new kind fails to compile until
 * each switch handles it. `pos` is the 0-based offset of the node in the whole query
 * string the client sent (so error positions are `pos + 1`).
 */

/** A parsed statement with the span of its text in the query string. */
export interface ParsedStatement {
  statement: Statement;
  /** Offsets of the statement's text, without the terminating semicolon. */
  start: number;
  end: number;
}

export type Statement =
  | QueryStatement
  | SetStatement
  | ShowStatement
  | ResetStatement
  | BeginStatement
  | CommitStatement
  | RollbackStatement
  | DiscardStatement
  | CopyToStatement
  | CreateStreamStatement
  | DropStatement
  | CreateDataflowStatement
  | AlterDataflowStatement
  | FlushStatement
  | ShowObjectsStatement
  | ExplainStatement
  | InsertStatement
  | UnsupportedStatement;

/** `WITH (name = value, ...)` of CREATE STREAM and CREATE DATAFLOW; names lowercased. */
export interface WithOption {
  name: string;
  /** Strings unquoted, numbers and words as written. */
  value: string;
  pos: number;
}

export interface ColumnDefinition {
  name: string;
  type: TypeName;
  notNull: boolean;
  pos: number;
}

/** `CREATE STREAM [IF NOT EXISTS] name (cols [, WATERMARK FOR col AS expr]) [WITH (...)]`. */
export interface CreateStreamStatement {
  kind: 'create-stream';
  name: string;
  ifNotExists: boolean;
  /** Empty when no column list is given (the connector knows its columns: nexmark). */
  columns: ColumnDefinition[];
  /** `text` is the expression as written, kept in the catalog. */
  watermark: { column: string; expr: Expression; text: string; pos: number } | null;
  options: WithOption[];
  pos: number;
}

/** `DROP STREAM | DATAFLOW [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`. */
export interface DropStatement {
  kind: 'drop';
  object: 'stream' | 'dataflow';
  names: string[];
  ifExists: boolean;
  cascade: boolean;
  pos: number;
}

/**
 * `CREATE DATAFLOW [IF NOT EXISTS] name [WITH (...)] AS INSERT INTO stream SELECT ...`
 * or `... AS SELECT ...` (the result is kept, queryable as `name`).
 */
export interface CreateDataflowStatement {
  kind: 'create-dataflow';
  name: string;
  ifNotExists: boolean;
  options: WithOption[];
  /** The stream written to, or null when the dataflow keeps its result. */
  sink: { name: string; columns: string[] } | null;
  query: Query;
  /** Offsets of the text after AS, as the user wrote it. */
  bodyStart: number;
  bodyEnd: number;
  pos: number;
}

/** `ALTER DATAFLOW name SET PARALLELISM = n | PAUSE | RESUME`. */
export interface AlterDataflowStatement {
  kind: 'alter-dataflow';
  name: string;
  action: { kind: 'set-parallelism'; parallelism: number } | { kind: 'pause' } | { kind: 'resume' };
  pos: number;
}

export interface FlushStatement {
  kind: 'flush';
  pos: number;
}

/** `SHOW STREAMS | DATAFLOWS | JOBS | AGENTS`. */
export interface ShowObjectsStatement {
  kind: 'show-objects';
  object: 'streams' | 'dataflows' | 'jobs' | 'agents';
  pos: number;
}

/** `EXPLAIN [LOGICAL | PHYSICAL] [(FORMAT JSON)] CREATE DATAFLOW ...` or `EXPLAIN DATAFLOW name`. */
export interface ExplainStatement {
  kind: 'explain';
  mode: 'logical' | 'physical';
  format: 'text' | 'json';
  target: { kind: 'statement'; statement: CreateDataflowStatement } | { kind: 'dataflow'; name: string };
  pos: number;
}

/** `INSERT INTO stream [(cols)] VALUES (...), ... | SELECT ...`. */
export interface InsertStatement {
  kind: 'insert';
  /** The stream, dotted when qualified (`sabot.jobs`). */
  target: string;
  columns: string[];
  source: Query;
  pos: number;
}

export interface QueryStatement {
  kind: 'query-statement';
  query: Query;
  pos: number;
}

/** `SET [SESSION | LOCAL] name {TO | =} value [, ...]`, `SET TIME ZONE value`. */
export interface SetStatement {
  kind: 'set';
  /** Lowercased, dotted for custom settings (`myapp.flag`). `time zone` becomes `timezone`. */
  name: string;
  /** null for DEFAULT; otherwise the values as written (strings unquoted, numbers as text). */
  values: string[] | null;
  local: boolean;
  pos: number;
}

/** `SHOW name | ALL`; `SHOW TIME ZONE` and `SHOW TRANSACTION ISOLATION LEVEL` map to names. */
export interface ShowStatement {
  kind: 'show';
  /** Lowercased setting name, or 'all'. */
  name: string;
  pos: number;
}

export interface ResetStatement {
  kind: 'reset';
  /** Lowercased setting name, or 'all'. */
  name: string;
  pos: number;
}

/** `BEGIN [WORK | TRANSACTION] [modes]`, `START TRANSACTION [modes]`. */
export interface BeginStatement {
  kind: 'begin';
  /** e.g. 'read committed', 'serializable', lowercased; null when not given. */
  isolationLevel: string | null;
  readOnly: boolean | null;
  pos: number;
}

/** `COMMIT`, `END` [WORK | TRANSACTION]. */
export interface CommitStatement {
  kind: 'commit';
  pos: number;
}

/** `ROLLBACK`, `ABORT` [WORK | TRANSACTION]. */
export interface RollbackStatement {
  kind: 'rollback';
  pos: number;
}

export interface DiscardStatement {
  kind: 'discard';
  target: 'all' | 'plans' | 'sequences' | 'temp';
  pos: number;
}

/** `COPY (query) TO STDOUT [WITH] (options)` or `COPY name [(cols)] TO STDOUT ...`. */
export interface CopyToStatement {
  kind: 'copy-to';
  source: { kind: 'query'; query: Query } | { kind: 'relation'; name: QualifiedName; columns: string[] };
  /** Options lowercased by name: format, header, delimiter, null, quote, escape. Values
   *  as written; a flag with no value (`HEADER`, `CSV`) is `true`. */
  options: CopyOption[];
  pos: number;
}

export interface CopyOption {
  name: string;
  value: string | true;
}

/** A statement Postgres has and Sabot does not; carries its command name for the error. */
export interface UnsupportedStatement {
  kind: 'unsupported';
  /** Uppercased leading keywords, e.g. 'CREATE TABLE', 'UPDATE', 'LISTEN'. */
  command: string;
  pos: number;
}

// ---------------------------------------------------------------------------------
// Queries

export interface Query {
  kind: 'query';
  with: CommonTableExpression[];
  body: SetExpression;
  orderBy: OrderItem[];
  limit: Expression | null;
  offset: Expression | null;
  pos: number;
}

export interface CommonTableExpression {
  name: string;
  columns: string[];
  query: Query;
  pos: number;
}

export type SetExpression = Select | Values | SetOperation | Query;

export interface SetOperation {
  kind: 'set-operation';
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  left: SetExpression;
  right: SetExpression;
  pos: number;
}

export interface Values {
  kind: 'values';
  rows: Expression[][];
  pos: number;
}

export interface Select {
  kind: 'select';
  distinct: boolean;
  /** `DISTINCT ON (exprs)`; empty when absent. */
  distinctOn: Expression[];
  items: SelectItem[];
  from: FromItem[];
  where: Expression | null;
  groupBy: Expression[];
  having: Expression | null;
  pos: number;
}

export type SelectItem =
  | { kind: 'star'; /** `t.*` names t; bare `*` has null */ table: string | null; pos: number }
  | { kind: 'item'; expr: Expression; alias: string | null; pos: number };

export interface OrderItem {
  expr: Expression;
  descending: boolean;
  /** null when not given (Postgres: NULLS LAST for ASC, NULLS FIRST for DESC). */
  nullsFirst: boolean | null;
}

export interface TableAlias {
  name: string;
  columns: string[];
}

export type FromItem = TableRef | TableFunctionRef | SubqueryRef | Join;

export interface TableRef {
  kind: 'table';
  name: QualifiedName;
  alias: TableAlias | null;
  pos: number;
}

/** A function in FROM: `TUMBLE(bids, date_time, INTERVAL '10' SECOND) AS w`. */
export interface TableFunctionRef {
  kind: 'table-function';
  name: string;
  args: Expression[];
  alias: TableAlias | null;
  pos: number;
}

export interface SubqueryRef {
  kind: 'subquery';
  query: Query;
  lateral: boolean;
  alias: TableAlias | null;
  pos: number;
}

export interface Join {
  kind: 'join';
  type: 'inner' | 'left' | 'right' | 'full' | 'cross';
  natural: boolean;
  left: FromItem;
  right: FromItem;
  on: Expression | null;
  using: string[];
  pos: number;
}

/** A possibly schema-qualified name, lowercased unless it was quoted: ['sabot', 'jobs']. */
export type QualifiedName = string[];

export interface TypeName {
  /** Lowercased with single spaces: 'integer', 'double precision', 'timestamp with time zone'. */
  name: string;
  /** Type modifiers such as varchar(20) or numeric(10, 2). */
  modifiers: number[];
  array: boolean;
  pos: number;
}

// ---------------------------------------------------------------------------------
// Expressions

export type Expression =
  | Literal
  | TypedLiteral
  | IntervalLiteral
  | Parameter
  | ColumnRef
  | UnaryOp
  | BinaryOp
  | Like
  | IsTest
  | IsDistinct
  | Between
  | InList
  | InSubquery
  | Exists
  | ScalarSubquery
  | Cast
  | Case
  | FunctionCall;

/**
 * A literal as written. Numbers keep their text so that no precision is lost before the
 * binder gives them a type: integers that fit become integer or bigint, others numeric.
 */
export type Literal =
  | { kind: 'literal'; type: 'integer'; value: string; pos: number }
  | { kind: 'literal'; type: 'decimal'; value: string; pos: number }
  | { kind: 'literal'; type: 'string'; value: string; pos: number }
  | { kind: 'literal'; type: 'boolean'; value: boolean; pos: number }
  | { kind: 'literal'; type: 'null'; value: null; pos: number };

/** `TIMESTAMP '2024-01-01 00:00:00'`, `DATE '...'`, `jsonb '{}'`: a string read as a type. */
export interface TypedLiteral {
  kind: 'typed-literal';
  type: TypeName;
  value: string;
  pos: number;
}

/** `INTERVAL '4' SECOND`, `INTERVAL '1 day'`, `INTERVAL '1:30' HOUR TO MINUTE`. */
export interface IntervalLiteral {
  kind: 'interval-literal';
  value: string;
  /** Lowercased singular unit after the literal ('second', 'day', ...), or null. */
  unit: IntervalUnit | null;
  /** The end unit of `HOUR TO MINUTE` style qualifiers, or null. */
  toUnit: IntervalUnit | null;
  pos: number;
}

export type IntervalUnit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/** `$1`: index is 1-based as written. */
export interface Parameter {
  kind: 'parameter';
  index: number;
  pos: number;
}

/** `col`, `t.col`, `schema.t.col`. Names lowercased unless quoted. */
export interface ColumnRef {
  kind: 'column';
  table: string | null;
  name: string;
  pos: number;
}

export interface UnaryOp {
  kind: 'unary';
  op: '-' | '+' | 'not';
  operand: Expression;
  pos: number;
}

export type BinaryOperator =
  | '+' | '-' | '*' | '/' | '%' | '^'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | '||'
  | '->' | '->>' | '#>' | '#>>' | '@>' | '<@'
  | '~' | '~*' | '!~' | '!~*';

/** `a != b` is read as `<>`. */
export interface BinaryOp {
  kind: 'binary';
  op: BinaryOperator;
  left: Expression;
  right: Expression;
  pos: number;
}

export interface Like {
  kind: 'like';
  negated: boolean;
  caseInsensitive: boolean;
  expr: Expression;
  pattern: Expression;
  escape: Expression | null;
  pos: number;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`; `ISNULL` and `NOTNULL` too. */
export interface IsTest {
  kind: 'is';
  expr: Expression;
  negated: boolean;
  test: 'null' | 'true' | 'false' | 'unknown';
  pos: number;
}

export interface IsDistinct {
  kind: 'is-distinct';
  left: Expression;
  right: Expression;
  /** true for IS NOT DISTINCT FROM. */
  negated: boolean;
  pos: number;
}

export interface Between {
  kind: 'between';
  expr: Expression;
  low: Expression;
  high: Expression;
  negated: boolean;
  symmetric: boolean;
  pos: number;
}

export interface InList {
  kind: 'in-list';
  expr: Expression;
  list: Expression[];
  negated: boolean;
  pos: number;
}

export interface InSubquery {
  kind: 'in-subquery';
  expr: Expression;
  query: Query;
  negated: boolean;
  pos: number;
}

export interface Exists {
  kind: 'exists';
  query: Query;
  pos: number;
}

export interface ScalarSubquery {
  kind: 'scalar-subquery';
  query: Query;
  pos: number;
}

/** `CAST(x AS t)` and `x::t`. */
export interface Cast {
  kind: 'cast';
  expr: Expression;
  type: TypeName;
  pos: number;
}

export interface Case {
  kind: 'case';
  /** `CASE x WHEN 1 THEN ...` has an operand; searched `CASE WHEN cond ...` has null. */
  operand: Expression | null;
  whens: { when: Expression; then: Expression }[];
  else: Expression | null;
  pos: number;
}

/**
 * A function call. Special syntax is read into plain calls, as Postgres does:
 * `EXTRACT(f FROM x)` → extract('f', x); `SUBSTRING(x FROM a FOR b)` → substring(x, a, b);
 * `POSITION(a IN b)` → position(a, b); `TRIM([BOTH|LEADING|TRAILING] [c] FROM x)` →
 * btrim/ltrim/rtrim(x [, c]); `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `LOCALTIMESTAMP`,
 * `CURRENT_USER`, `SESSION_USER`, `USER`, `CURRENT_SCHEMA`, `CURRENT_CATALOG` → calls with
 * no arguments named in lowercase (`current_timestamp`, ..., `user` → `current_user`).
 */
export interface FunctionCall {
  kind: 'function';
  /** Lowercased unless quoted; schema-qualified names keep their parts: ['pg_catalog', 'now']. */
  name: QualifiedName;
  args: Expression[];
  /** `count(*)`. */
  star: boolean;
  distinct: boolean;
  /** `ORDER BY` inside the call (string_agg(x, ',' ORDER BY y)). */
  orderBy: OrderItem[];
  filter: Expression | null;
  over: WindowSpec | null;
  pos: number;
}

export interface WindowSpec {
  partitionBy: Expression[];
  orderBy: OrderItem[];
  pos: number;
}
