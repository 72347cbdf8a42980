/**
 * The parser front: runs the generated grammar (grammar/sql.peggy) over a query string
 * and turns its failures into Postgres-style syntax errors.
 *
 * The returned syntax trees are cached and shared between callers: treat every
 * `ParsedStatement` (and every node under it) as immutable. Copy before changing.
 */
import type { ParsedStatement } from './ast.js';
import { SabotError, SqlState } from '../errors.js';
import { parse as peggyParse, SyntaxError as PeggySyntaxError } from './grammar/generated.js';

/** SQLSTATE of "stack depth limit exceeded" (statement_too_complex). */
const STATEMENT_TOO_COMPLEX = '54001';

const CACHE_SIZE = 500;
/** Longer texts (bulk statements) are parsed every time rather than kept in memory. */
const CACHE_MAX_SQL_LENGTH = 16_384;
const cache = new Map<string, ParsedStatement[]>();

/**
 * Parses a simple-query string: zero or more statements separated by semicolons.
 * Results are cached by the exact text (LRU); the returned array and its nodes are
 * shared and must not be modified.
 */
export function parseScript(sql: string): ParsedStatement[] {
  const hit = cache.get(sql);
  if (hit !== undefined) {
    // Refresh its place: a Map iterates in insertion order, oldest first.
    cache.delete(sql);
    cache.set(sql, hit);
    return hit;
  }
  const result = parseScriptUncached(sql);
  if (sql.length <= CACHE_MAX_SQL_LENGTH) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, result);
  }
  return result;
}

/**
 * Parses the text of one prepared statement (extended protocol): null when the text
 * holds no statement, an error when it holds more than one. The result is shared (see
 * parseScript) and must not be modified.
 */
export function parseStatement(sql: string): ParsedStatement | null {
  const statements = parseScript(sql);
  if (statements.length === 0) return null;
  if (statements.length > 1) {
    throw new SabotError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
  }
  return statements[0]!;
}

/** Parses without the cache; for benchmarks and tests. */
export function parseScriptUncached(sql: string): ParsedStatement[] {
  try {
    return peggyParse(sql) as ParsedStatement[];
  } catch (err) {
    if (err instanceof PeggySyntaxError) throw syntaxError(sql, err);
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new SabotError(STATEMENT_TOO_COMPLEX, 'stack depth limit exceeded', {
        hint: 'The statement is nested too deeply.',
      });
    }
    throw err;
  }
}

/** Clears the parse cache (tests). */
export function clearParseCache(): void {
  cache.clear();
}

// -----------------------------------------------------------------------------------
// Errors

function syntaxError(sql: string, err: PeggySyntaxError): SabotError {
  const failAt = err.location.start.offset;
  const lexical = findLexicalError(sql, failAt);
  if (lexical !== null) return lexical;
  const at = skipSpace(sql, failAt);
  // A failure raised by a grammar action (error(...)) carries its own message.
  if (err.expected === null || err.expected === undefined) {
    const near = at < sql.length ? ` at or near "${tokenAt(sql, at)}"` : ' at end of input';
    return new SabotError(SqlState.syntaxError, err.message + near, { position: at + 1 });
  }
  if (at >= sql.length) {
    return new SabotError(SqlState.syntaxError, 'syntax error at end of input', { position: sql.length + 1 });
  }
  const token = tokenAt(sql, at);
  if (token === '""') {
    return new SabotError(SqlState.syntaxError, 'zero-length delimited identifier at or near """"', { position: at + 1 });
  }
  return new SabotError(SqlState.syntaxError, `syntax error at or near "${token}"`, { position: at + 1 });
}

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 128;
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === '$';

/** Skips whitespace and (terminated) comments from i. */
function skipSpace(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && isSpace(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      while (i < sql.length && sql[i] !== '\n' && sql[i] !== '\r') i++;
    } else if (sql.startsWith('/*', i)) {
      const end = blockCommentEnd(sql, i);
      if (end < 0) return i;
      i = end;
    } else {
      return i;
    }
  }
}

/** End offset of the (nested) block comment starting at i, or -1 when unterminated. */
function blockCommentEnd(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

/** End offset of the quoted text opening at i (quote char q), or -1 when unterminated. */
function quotedEnd(sql: string, i: number, q: string, backslashes: boolean): number {
  i++;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashes && c === '\\') {
      i += 2;
    } else if (c === q) {
      if (sql[i + 1] === q) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return -1;
}

/** The `$tag$` opening a dollar-quoted string at i, or null. */
function dollarTag(sql: string, i: number): string | null {
  if (sql[i] !== '$') return null;
  let j = i + 1;
  if (j < sql.length && isIdentStart(sql[j]!)) {
    j++;
    while (j < sql.length && isIdentPart(sql[j]!) && sql[j] !== '$') j++;
  }
  return sql[j] === '$' ? sql.slice(i, j + 1) : null;
}

/**
 * Scans the text for an unterminated string, quoted identifier or comment that starts
 * at or before the failure offset; Postgres' lexer reports those before any syntax error.
 */
function findLexicalError(sql: string, failAt: number): SabotError | null {
  let i = 0;
  const n = sql.length;
  while (i < n && i <= failAt) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n' && sql[i] !== '\r') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = blockCommentEnd(sql, i);
      if (end < 0) return lexicalError('unterminated /* comment', sql, i);
      i = end;
    } else if (c === '\'') {
      const end = quotedEnd(sql, i, '\'', false);
      if (end < 0) return lexicalError('unterminated quoted string', sql, i);
      i = end;
    } else if (c === '"') {
      const end = quotedEnd(sql, i, '"', false);
      if (end < 0) return lexicalError('unterminated quoted identifier', sql, i);
      i = end;
    } else if ((c === 'e' || c === 'E') && sql[i + 1] === '\'') {
      const end = quotedEnd(sql, i + 1, '\'', true);
      if (end < 0) return lexicalError('unterminated quoted string', sql, i);
      i = end;
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql[i]!)) i++;
    } else if (c === '$') {
      const tag = dollarTag(sql, i);
      if (tag === null) {
        i++;
      } else {
        const close = sql.indexOf(tag, i + tag.length);
        if (close < 0) return lexicalError('unterminated dollar-quoted string', sql, i);
        i = close + tag.length;
      }
    } else {
      i++;
    }
  }
  return null;
}

function lexicalError(what: string, sql: string, at: number): SabotError {
  return new SabotError(SqlState.syntaxError, `${what} at or near "${sql.slice(at)}"`, { position: at + 1 });
}

/** The text of the token starting at i (which is not at the end of the input). */
function tokenAt(sql: string, i: number): string {
  const n = sql.length;
  const c = sql[i]!;
  let j = i + 1;
  if ((c === 'e' || c === 'E') && sql[i + 1] === '\'') {
    const end = quotedEnd(sql, i + 1, '\'', true);
    return sql.slice(i, end < 0 ? n : end);
  }
  if (isIdentStart(c)) {
    while (j < n && isIdentPart(sql[j]!)) j++;
    return sql.slice(i, j);
  }
  if (isDigit(c) || (c === '.' && isDigit(sql[i + 1] ?? ''))) {
    while (j < n && (isDigit(sql[j]!) || sql[j] === '.')) j++;
    if ((sql[j] === 'e' || sql[j] === 'E') && /^[eE][+-]?[0-9]/.test(sql.slice(j, j + 3))) {
      j += 2;
      while (j < n && isDigit(sql[j]!)) j++;
    }
    // Trailing junk (1abc) belongs to the token, as Postgres reports it.
    while (j < n && isIdentPart(sql[j]!)) j++;
    return sql.slice(i, j);
  }
  if (c === '\'' || c === '"') {
    const end = quotedEnd(sql, i, c, false);
    return sql.slice(i, end < 0 ? n : end);
  }
  if (c === '$') {
    if (isDigit(sql[i + 1] ?? '')) {
      while (j < n && isDigit(sql[j]!)) j++;
      return sql.slice(i, j);
    }
    const tag = dollarTag(sql, i);
    if (tag !== null) {
      const close = sql.indexOf(tag, i + tag.length);
      return sql.slice(i, close < 0 ? n : close + tag.length);
    }
    return c;
  }
  if (c === ':' && sql[i + 1] === ':') return '::';
  if (OPERATOR_CHARS.includes(c)) {
    // Postgres' operator token: the longest run of operator characters, not crossing a
    // comment start, without trailing + or - unless it has one of ~ ! @ # % ^ & | ` ?.
    while (j < n && OPERATOR_CHARS.includes(sql[j]!) && !sql.startsWith('--', j) && !sql.startsWith('/*', j)) j++;
    let op = sql.slice(i, j);
    if (op.length > 1 && !/[~!@#%^&|`?]/.test(op)) {
      while (op.length > 1 && (op.endsWith('+') || op.endsWith('-'))) op = op.slice(0, -1);
    }
    return op;
  }
  return c;
}
