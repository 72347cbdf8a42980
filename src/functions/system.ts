import { SabotError, SqlState } from '../errors.js';
import { typeByOid, Types } from '../types/sql-type.js';
import { VERSION_STRING } from '../version.js';
import type { EvalContext, FunctionRegistry } from './scalar-function.js';

function unrecognized(name: string): SabotError {
  return new SabotError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
}

function sleep(seconds: number, ctx: EvalContext): Promise<null> | null {
  if (!(seconds > 0)) return null;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(ctx.signal.reason);
    };
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(null);
    }, Math.min(seconds * 1000, 2 ** 31 - 1));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** version(), settings, session information and pg_sleep(). */
export function registerSystem(r: FunctionRegistry): void {
  const text = Types.text;
  r.add({ name: 'version', argTypes: [], returnType: text, volatility: 'stable', impl: () => VERSION_STRING });
  r.add({
    name: 'current_setting', argTypes: [text], returnType: text, volatility: 'stable',
    impl: ([name], ctx) => {
      const value = ctx.setting((name as string).toLowerCase());
      if (value === undefined) throw unrecognized(name as string);
      return value;
    },
  });
  r.add({
    name: 'current_setting', argTypes: [text, Types.bool], returnType: text, volatility: 'stable',
    impl: ([name, missingOk], ctx) => {
      const value = ctx.setting((name as string).toLowerCase());
      if (value === undefined && !missingOk) throw unrecognized(name as string);
      return value ?? null;
    },
  });
  r.add({
    name: 'set_config', argTypes: [text, text, Types.bool], returnType: text, volatility: 'volatile', strict: false,
    impl: ([name, value, local], ctx) => {
      if (name === null) throw new SabotError(SqlState.nullValueNotAllowed, 'SET requires parameter name');
      return ctx.setSetting((name as string).toLowerCase(), (value as string | null) ?? '', local === true);
    },
  });
  r.add({ name: 'pg_sleep', argTypes: [Types.float8], returnType: Types.void, volatility: 'volatile', impl: ([s], ctx) => sleep(s as number, ctx) });
  for (const name of ['current_user', 'session_user', 'current_role', 'user']) {
    r.add({ name, argTypes: [], returnType: Types.name, volatility: 'stable', impl: (_, ctx) => ctx.user });
  }
  for (const name of ['current_database', 'current_catalog']) {
    r.add({ name, argTypes: [], returnType: Types.name, volatility: 'stable', impl: (_, ctx) => ctx.database });
  }
  r.add({ name: 'current_schema', argTypes: [], returnType: Types.name, volatility: 'stable', impl: () => 'public' });
  r.add({ name: 'pg_backend_pid', argTypes: [], returnType: Types.int4, volatility: 'stable', impl: (_, ctx) => ctx.processId });
  // What psql and drivers call when they read pg_catalog: one owner, everything visible.
  r.add({ name: 'pg_get_userbyid', argTypes: [Types.oid], returnType: Types.name, impl: () => 'sabot' });
  r.add({ name: 'pg_table_is_visible', argTypes: [Types.oid], returnType: Types.bool, volatility: 'stable', impl: () => true });
  r.add({ name: 'format_type', argTypes: [Types.oid, Types.int4], returnType: Types.text, strict: false,
    impl: ([oid]) => (oid === null ? null : typeByOid(oid as number)?.name ?? '???') });
  r.add({ name: 'obj_description', argTypes: [Types.oid, Types.name], returnType: Types.text, impl: () => null });
  r.add({ name: 'pg_encoding_to_char', argTypes: [Types.int4], returnType: Types.name, impl: () => 'UTF8' });
}
