/**
 * Runs sqllogictest files (sql-tests/**.slt) against a live Sabot server over the wire.
 *
 *   statement ok | statement error <regex>      a statement; the regex is matched
 *   <sql>                                       against "SQLSTATE: message"
 *
 *   query <types> [rowsort|valuesort|nosort] [retry]
 *   <sql>
 *   ----
 *   <one line per row, values separated by one space; NULL and (empty) as such>
 *
 *   query error <regex>                         a query that must fail
 *
 * `retry` re-runs a query until it matches or 10 s pass, for streaming results that
 * arrive over time. Each file gets its own server.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { repoRoot, startServer } from '../support/server.js';

interface SltRecord {
  line: number;
  kind: 'statement' | 'query';
  sql: string;
  /** For errors: the pattern the error must match. */
  error: RegExp | null;
  sort: 'nosort' | 'rowsort' | 'valuesort';
  retry: boolean;
  expected: string[];
}

const RETRY_FOR_MS = 10_000;

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!.trim();
    if (header === '' || header.startsWith('#')) { i++; continue; }
    const words = header.split(/\s+/);
    const line = i + 1;
    if (words[0] !== 'statement' && words[0] !== 'query') throw new Error(`line ${line}: unexpected "${header}"`);
    const kind = words[0];
    let error: RegExp | null = null;
    let sort: SltRecord['sort'] = 'nosort';
    let retry = false;
    if (words[1] === 'error') {
      error = new RegExp(header.replace(/^\S+\s+error\s*/, ''), 'i');
    } else if (kind === 'statement') {
      if (words[1] !== 'ok') throw new Error(`line ${line}: expected "statement ok" or "statement error"`);
    } else {
      for (const w of words.slice(2)) {
        if (w === 'rowsort' || w === 'valuesort' || w === 'nosort') sort = w;
        else if (w === 'retry') retry = true;
        else throw new Error(`line ${line}: unknown query option "${w}"`);
      }
    }
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----') sql.push(lines[i++]!);
    const expected: string[] = [];
    if (i < lines.length && lines[i]!.trim() === '----') {
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!.trimEnd());
    }
    records.push({ line, kind, sql: sql.join('\n'), error, sort, retry, expected });
  }
  return records;
}

function render(value: unknown): string {
  if (value === null) return 'NULL';
  const s = String(value);
  return s === '' ? '(empty)' : s;
}

function resultLines(rows: unknown[][], sort: SltRecord['sort']): string[] {
  if (sort === 'valuesort') return rows.flat().map(render).sort();
  const lines = rows.map((r) => r.map(render).join(' '));
  return sort === 'rowsort' ? lines.sort() : lines;
}

type Outcome = { ok: true } | { ok: false; message: string };

async function runRecord(client: pg.Client, r: SltRecord): Promise<Outcome> {
  const deadline = Date.now() + (r.retry ? RETRY_FOR_MS : 0);
  for (;;) {
    const outcome = await attempt(client, r);
    if (outcome.ok || Date.now() >= deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function attempt(client: pg.Client, r: SltRecord): Promise<Outcome> {
  let rows: unknown[][];
  try {
    const result = await client.query({ text: r.sql, rowMode: 'array' });
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    rows = (last?.rows ?? []) as unknown[][];
  } catch (err) {
    const e = err as { code?: string; message: string };
    const described = `${e.code ?? '?'}: ${e.message}`;
    if (r.error && r.error.test(described)) return { ok: true };
    return { ok: false, message: r.error ? `expected error /${r.error.source}/, got ${described}` : `unexpected error ${described}` };
  }
  if (r.error) return { ok: false, message: `expected error /${r.error.source}/, but it succeeded` };
  if (r.kind === 'statement') return { ok: true };
  const actual = resultLines(rows, r.sort);
  const expected = r.sort === 'rowsort' ? [...r.expected].sort() : r.sort === 'valuesort' ? [...r.expected].sort() : r.expected;
  if (actual.length === expected.length && actual.every((l, i) => l === expected[i])) return { ok: true };
  return { ok: false, message: `expected:\n  ${expected.join('\n  ')}\ngot:\n  ${actual.join('\n  ')}` };
}

/** Raw text values: the runner compares what the server printed. */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export async function runFile(path: string): Promise<{ passed: number; failed: number }> {
  const records = parseSlt(readFileSync(path, 'utf8'));
  const server = await startServer();
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'slt', database: 'slt', types: rawTypes });
  let passed = 0;
  let failed = 0;
  try {
    await client.connect();
    for (const r of records) {
      const outcome = await runRecord(client, r);
      if (outcome.ok) {
        passed++;
      } else {
        failed++;
        process.stdout.write(`FAIL ${relative(repoRoot, path)}:${r.line}\n  ${r.sql.replace(/\n/g, '\n  ')}\n${outcome.message}\n`);
      }
    }
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
  }
  return { passed, failed };
}

export function sltFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).sort().flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? sltFiles(full) : name.endsWith('.slt') ? [full] : [];
  });
}
