import { SabotError, SqlState } from '../../errors.js';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { CopyToStatement, Query } from '../../sql/ast.js';
import { formatText } from '../../types/text-format.js';
import type { PlanResult, SessionContext, StatementPlan } from '../statement-plan.js';
import { planQuery } from './query.js';
import { then } from '../../plan/maybe.js';

interface CopyFormat {
  csv: boolean;
  header: boolean;
  delimiter: string;
  null: string;
  quote: string;
  escape: string;
}

function optionError(message: string, pos: number): SabotError {
  return new SabotError(SqlState.syntaxError, message, { position: pos + 1 });
}

function copyFormat(s: CopyToStatement): CopyFormat {
  const given = new Map<string, string | true>();
  for (const o of s.options) {
    if (given.has(o.name)) throw optionError('conflicting or redundant options', s.pos);
    given.set(o.name, o.value);
  }
  const format = String(given.get('format') ?? 'text').toLowerCase();
  if (format === 'binary') throw new SabotError(SqlState.featureNotSupported, 'COPY BINARY is not supported', { position: s.pos + 1 });
  if (format !== 'text' && format !== 'csv') throw optionError(`COPY format "${format}" not recognized`, s.pos);
  for (const name of given.keys()) {
    if (!['format', 'header', 'delimiter', 'null', 'quote', 'escape'].includes(name)) {
      throw optionError(`option "${name}" not recognized`, s.pos);
    }
  }
  const csv = format === 'csv';
  const text = (name: string, fallback: string) => {
    const v = given.get(name);
    return v === undefined || v === true ? fallback : v;
  };
  const header = given.get('header');
  const out: CopyFormat = {
    csv,
    header: header === true || (typeof header === 'string' && ['true', 'on', '1'].includes(header.toLowerCase())),
    delimiter: text('delimiter', csv ? ',' : '\t'),
    null: text('null', csv ? '' : '\\N'),
    quote: text('quote', '"'),
    escape: text('escape', text('quote', '"')),
  };
  if (out.delimiter.length !== 1) throw optionError('COPY delimiter must be a single one-byte character', s.pos);
  if (!csv && (given.has('quote') || given.has('escape'))) throw optionError('COPY quote and escape are available only in CSV mode', s.pos);
  return out;
}

/** Text-format COPY escaping: backslash sequences for the delimiter and control characters. */
function escapeText(value: string, delimiter: string): string {
  let out = '';
  for (const c of value) {
    switch (c) {
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += delimiter === '\t' ? '\\t' : c; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      default: out += c === delimiter ? `\\${c}` : c;
    }
  }
  return out;
}

/** CSV quoting: a field with the delimiter, quote, a line break, or equal to the NULL text is quoted. */
function quoteCsv(value: string, f: CopyFormat): string {
  if (value === f.null || value.includes(f.delimiter) || value.includes(f.quote) || /[\r\n]/.test(value) || value === '\\.') {
    let out = f.quote;
    for (const c of value) out += c === f.quote || c === f.escape ? f.escape + c : c;
    return out + f.quote;
  }
  return value;
}

/** COPY (query) TO STDOUT and COPY relation TO STDOUT, in text or CSV format. */
export function planCopyTo(s: CopyToStatement, session: SessionContext): StatementPlan {
  const format = copyFormat(s);
  const query: Query = s.source.kind === 'query' ? s.source.query : {
    kind: 'query', with: [], orderBy: [], limit: null, offset: null, pos: s.pos,
    body: {
      kind: 'select', distinct: false, distinctOn: [], where: null, groupBy: [], having: null, pos: s.pos,
      from: [{ kind: 'table', name: s.source.name, alias: null, pos: s.pos }],
      items: s.source.columns.length === 0
        ? [{ kind: 'star', table: null, pos: s.pos }]
        : s.source.columns.map((name) => ({ kind: 'item', expr: { kind: 'column', table: null, name, pos: s.pos }, alias: null, pos: s.pos })),
    },
  };
  const inner = planQuery(query, session, []);
  const columns = inner.columns!;
  return {
    parameterTypes: [],
    columns: null,
    execute: (params: unknown[], ctx: EvalContext) => {
      const toLines = (result: PlanResult): PlanResult => {
        if (result.kind !== 'rows') throw new Error('COPY source produced no rows');
        const lines: string[] = [];
        const field = (v: string) => (format.csv ? quoteCsv(v, format) : escapeText(v, format.delimiter));
        if (format.header) lines.push(columns.map((c) => field(c.name)).join(format.delimiter) + '\n');
        for (const row of result.rows) {
          lines.push(row.map((v, i) => (v === null ? format.null : field(formatText(columns[i]!.type, v, ctx.format))))
            .join(format.delimiter) + '\n');
        }
        return { kind: 'copy-out', columnCount: columns.length, lines, rowCount: result.rows.length };
      };
      return then(inner.execute(params, ctx), toLines);
    },
  };
}
