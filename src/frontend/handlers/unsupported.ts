import { SabotError, SqlState } from '../../errors.js';
import type { UnsupportedStatement } from '../../sql/ast.js';

const hints: Record<string, string> = {
  'CREATE TABLE': 'Sabot keeps data in streams: use CREATE STREAM.',
  'CREATE VIEW': 'Use CREATE DATAFLOW name AS SELECT ... to keep a query\'s result.',
  'CREATE MATERIALIZED VIEW': 'Use CREATE DATAFLOW name AS SELECT ... to keep a query\'s result.',
  UPDATE: 'Streams are append-only.',
  DELETE: 'Streams are append-only.',
};

/** Statements Postgres has and Sabot does not: 0A000 naming the command. */
export function planUnsupported(s: UnsupportedStatement): never {
  throw new SabotError(SqlState.featureNotSupported, `${s.command} is not supported by Sabot`,
    { position: s.pos + 1, hint: hints[s.command] });
}
