import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';

/** Asserts that fn throws a SabotError with this SQLSTATE and a message equal to (or matching) the given one. */
export function throwsSql(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SabotError, `expected SabotError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}
