/**
 * Values that are usually ready and sometimes a Promise (a function such as pg_sleep made
 * them wait): helpers that stay synchronous as long as every step is, so the common case
 * costs no microtask.
 */

export type Maybe<T> = T | Promise<T>;

export function isPromise(v: unknown): v is Promise<unknown> {
  return v instanceof Promise;
}

/** Applies f once every value in `values` is available, synchronously when all are. */
export function whenAll<T>(values: unknown[], f: (resolved: unknown[]) => T): Maybe<T> {
  for (const v of values) if (isPromise(v)) return Promise.all(values).then(f);
  return f(values);
}

export function then<T, U>(v: Maybe<T>, f: (t: T) => Maybe<U>): Maybe<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Runs f over items one after another, synchronously while each step is. */
export function mapInOrder<T, U>(items: readonly T[], f: (t: T) => Maybe<U>, i = 0, out: U[] = []): Maybe<U[]> {
  for (; i < items.length; i++) {
    const v = f(items[i]!);
    if (v instanceof Promise) {
      const next = i + 1;
      return v.then((r) => { out.push(r); return mapInOrder(items, f, next, out); });
    }
    out.push(v);
  }
  return out;
}
