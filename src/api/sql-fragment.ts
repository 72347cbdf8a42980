import { SabotError, SqlState } from '../errors.js';
import type { Expression, SelectItem } from '../sql/ast.js';
import { parseScript } from '../sql/parser.js';

/** The select items of an SQL fragment (`'price * 0.908 AS price'`, `'*'`), parsed as the items of a SELECT. */
function selectItems(text: string, what: string): SelectItem[] {
  const [parsed, ...more] = parseScript(`SELECT ${text}`);
  const query = parsed?.statement.kind === 'query-statement' ? parsed.statement.query : null;
  const body = query?.body;
  if (body?.kind !== 'select' || body.from.length > 0 || body.where !== null || body.groupBy.length > 0 || body.having !== null
    || body.distinct || query!.orderBy.length > 0 || query!.limit !== null || more.length > 0) {
    throw new SabotError(SqlState.syntaxError, `${what} must be an SQL expression, not "${text}"`);
  }
  return body.items;
}

/** An SQL expression (a predicate, a key, a join condition), without an alias. */
export function sqlExpression(text: string, what: string): Expression {
  const items = selectItems(text, what);
  const item = items[0]!;
  if (items.length !== 1 || item.kind !== 'item' || item.alias !== null) {
    throw new SabotError(SqlState.syntaxError, `${what} must be one SQL expression without AS, not "${text}"`);
  }
  return item.expr;
}

/** One select item: an expression with an optional `AS name`, or `*`. */
export function sqlSelectItem(text: string): SelectItem {
  const items = selectItems(text, 'a select item');
  if (items.length !== 1) throw new SabotError(SqlState.syntaxError, `select() takes one item per argument, not "${text}"`);
  return items[0]!;
}
