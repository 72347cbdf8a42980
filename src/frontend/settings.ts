import { SabotError, SqlState } from '../errors.js';
import { isValidTimeZone } from '../types/datetime.js';
import type { FormatSettings } from '../types/text-format.js';
import { POSTGRES_VERSION_NUM, SERVER_VERSION } from '../version.js';

/** One run-time setting (a GUC, in Postgres's words). */
interface SettingDefinition {
  name: string;
  default: string;
  description: string;
  /** Sent to the client as ParameterStatus at start-up and whenever it changes. */
  report?: boolean;
  /** Cannot be changed with SET. */
  readOnly?: boolean;
  /** Checks and normalizes a new value; throws 22023 for a bad one. */
  normalize?: (value: string) => string;
}

function invalidValue(name: string, value: string, hint?: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, { hint });
}

function oneOf(name: string, values: string[]): (v: string) => string {
  return (v) => {
    const lower = v.toLowerCase();
    if (!values.includes(lower)) throw invalidValue(name, v, `Available values: ${values.join(', ')}.`);
    return lower;
  };
}

function bool(name: string): (v: string) => string {
  return (v) => {
    const lower = v.toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(lower)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(lower)) return 'off';
    throw new SabotError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

function integer(name: string, min: number, max: number): (v: string) => string {
  return (v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n)) throw new SabotError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`);
    if (n < min || n > max) {
      throw new SabotError(SqlState.invalidParameterValue,
        `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
    }
    return String(n);
  };
}

const durationUnits: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in milliseconds, as `5000`, `5s`, `1min`; stored as Postgres shows it. */
function duration(name: string): (v: string) => string {
  return (v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
    if (!m) throw invalidValue(name, v, 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
    const ms = Math.round(Number(m[1]) * durationUnits[m[2] ?? 'ms']!);
    if (ms === 0) return '0';
    for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
      if (ms % size === 0) return `${ms / size}${unit}`;
    }
    return `${ms}ms`;
  };
}

/** Milliseconds of a duration setting's stored value. */
function durationMillis(value: string): number {
  const m = /^(\d+)(ms|s|min|h|d)?$/.exec(value);
  return m ? Number(m[1]) * durationUnits[m[2] ?? 'ms']! : 0;
}

function dateStyle(v: string): string {
  const parts = v.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  let style = 'ISO';
  let order = 'MDY';
  for (const p of parts) {
    if (p === 'iso') style = 'ISO';
    else if (['sql', 'postgres', 'german'].includes(p)) {
      throw new SabotError(SqlState.featureNotSupported, `DateStyle ${p.toUpperCase()} is not supported; Sabot prints dates in ISO style`);
    } else if (['mdy', 'us', 'noneuropean', 'nonEuropean'].includes(p)) order = 'MDY';
    else if (['dmy', 'euro', 'european'].includes(p)) order = 'DMY';
    else if (p === 'ymd') order = 'YMD';
    else throw invalidValue('DateStyle', v);
  }
  return `${style}, ${order}`;
}

function timeZone(v: string): string {
  if (!isValidTimeZone(v)) throw invalidValue('TimeZone', v);
  return v;
}

function clientEncoding(v: string): string {
  const norm = v.toUpperCase().replace(/[-_]/g, '');
  if (norm === 'UTF8' || norm === 'UNICODE') return 'UTF8';
  throw new SabotError(SqlState.featureNotSupported, `conversion between ${v} and UTF8 is not supported`);
}

const definitions: SettingDefinition[] = [
  { name: 'server_version', default: SERVER_VERSION, report: true, readOnly: true, description: 'Shows the server version.' },
  { name: 'server_version_num', default: POSTGRES_VERSION_NUM, readOnly: true, description: 'Shows the server version as an integer.' },
  { name: 'server_encoding', default: 'UTF8', report: true, readOnly: true, description: 'Shows the server (database) character set encoding.' },
  { name: 'client_encoding', default: 'UTF8', report: true, normalize: clientEncoding, description: "Sets the client's character set encoding." },
  { name: 'DateStyle', default: 'ISO, MDY', report: true, normalize: dateStyle, description: 'Sets the display format for date and time values.' },
  { name: 'IntervalStyle', default: 'postgres', report: true, normalize: oneOf('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']), description: 'Sets the display format for interval values.' },
  { name: 'TimeZone', default: 'UTC', report: true, normalize: timeZone, description: 'Sets the time zone for displaying and interpreting time stamps.' },
  { name: 'integer_datetimes', default: 'on', report: true, readOnly: true, description: 'Shows whether datetimes are integer based.' },
  { name: 'standard_conforming_strings', default: 'on', report: true, normalize: (v) => { if (bool('standard_conforming_strings')(v) !== 'on') throw new SabotError(SqlState.featureNotSupported, 'non-standard string literals are not supported'); return 'on'; }, description: "Causes '...' strings to treat backslashes literally." },
  { name: 'application_name', default: '', report: true, normalize: (v) => v.replace(/[^\x20-\x7e]/g, '?'), description: 'Sets the application name to be reported in statistics and logs.' },
  { name: 'is_superuser', default: 'on', report: true, readOnly: true, description: 'Shows whether the current user is a superuser.' },
  { name: 'session_authorization', default: '', report: true, readOnly: true, description: 'Sets the session user name.' },
  { name: 'default_transaction_read_only', default: 'off', report: true, normalize: bool('default_transaction_read_only'), description: 'Sets the default read-only status of new transactions.' },
  { name: 'in_hot_standby', default: 'off', report: true, readOnly: true, description: 'Shows whether hot standby is currently active.' },
  { name: 'scram_iterations', default: '4096', report: true, readOnly: true, description: 'Sets the iteration count for SCRAM secret generation.' },
  { name: 'search_path', default: '"$user", public', description: 'Sets the schema search order for names that are not schema-qualified.' },
  { name: 'extra_float_digits', default: '1', normalize: integer('extra_float_digits', -15, 3), description: 'Sets the number of digits displayed for floating-point values.' },
  { name: 'statement_timeout', default: '0', normalize: duration('statement_timeout'), description: 'Sets the maximum allowed duration of any statement.' },
  { name: 'lock_timeout', default: '0', normalize: duration('lock_timeout'), description: 'Sets the maximum allowed duration of any wait for a lock.' },
  { name: 'idle_in_transaction_session_timeout', default: '0', normalize: duration('idle_in_transaction_session_timeout'), description: 'Sets the maximum allowed idle time between queries, when in a transaction.' },
  { name: 'transaction_isolation', default: 'read committed', normalize: oneOf('transaction_isolation', ['read uncommitted', 'read committed', 'repeatable read', 'serializable']), description: "Sets the current transaction's isolation level." },
  { name: 'default_transaction_isolation', default: 'read committed', normalize: oneOf('default_transaction_isolation', ['read uncommitted', 'read committed', 'repeatable read', 'serializable']), description: 'Sets the transaction isolation level of each new transaction.' },
  { name: 'transaction_read_only', default: 'off', normalize: bool('transaction_read_only'), description: "Sets the current transaction's read-only status." },
  { name: 'bytea_output', default: 'hex', normalize: oneOf('bytea_output', ['hex', 'escape']), description: 'Sets the output format for bytea.' },
  { name: 'max_identifier_length', default: '63', readOnly: true, description: 'Shows the maximum identifier length.' },
  { name: 'lc_messages', default: 'C', description: 'Sets the language in which messages are displayed.' },
  { name: 'lc_monetary', default: 'C', description: 'Sets the locale for formatting monetary amounts.' },
  { name: 'lc_numeric', default: 'C', description: 'Sets the locale for formatting numbers.' },
  { name: 'lc_time', default: 'C', description: 'Sets the locale for formatting date and time values.' },
  { name: 'client_min_messages', default: 'notice', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']), description: 'Sets the message levels that are sent to the client.' },
  { name: 'timezone_abbreviations', default: 'Default', description: 'Selects a file of time zone abbreviations.' },
  { name: 'row_security', default: 'on', normalize: bool('row_security'), description: 'Enable row security.' },
  { name: 'synchronous_commit', default: 'on', description: 'Sets the current transaction\'s synchronization level.' },
];

const byName = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));

/** `-c name=value` and `--name=value` pairs of the start-up `options` parameter (PGOPTIONS). */
function commandLineOptions(options: string): [string, string][] {
  const words = options.match(/(?:\\.|\S)+/g)?.map((w) => w.replace(/\\(.)/g, '$1')) ?? [];
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let pair: string | undefined;
    if (words[i] === '-c') pair = words[++i];
    else if (words[i]!.startsWith('-c')) pair = words[i]!.slice(2);
    else if (words[i]!.startsWith('--')) pair = words[i]!.slice(2);
    const eq = pair?.indexOf('=') ?? -1;
    if (pair === undefined || eq <= 0) {
      throw new SabotError(SqlState.syntaxError, `invalid command-line argument for server process: ${words[i]}`);
    }
    out.push([pair.slice(0, eq).replace(/-/g, '_'), pair.slice(eq + 1)]);
  }
  return out;
}

/**
 * The settings of one session. Names are case-insensitive; SHOW prints the canonical
 * spelling. Custom settings with a dot in the name (`myapp.user_id`) may be set freely,
 * as in Postgres.
 */
export class SessionSettings {
  private values = new Map<string, string>();
  private changed = new Set<string>();
  private formatCache: FormatSettings | undefined;
  private timeoutCache: number | undefined;
  /** While a transaction runs: each changed setting's value before its first change. */
  private tracking = false;
  private undo: Map<string, string | undefined> | undefined;

  constructor(startup: ReadonlyMap<string, string>) {
    for (const d of definitions) this.values.set(d.name.toLowerCase(), d.default);
    this.values.set('session_authorization', startup.get('user') ?? '');
    // Like Postgres, a bad start-up setting fails the connection.
    for (const [name, value] of startup) {
      if (name === 'user' || name === 'database' || name === 'replication' || name === 'options') continue;
      this.set(name, value);
    }
    for (const [name, value] of commandLineOptions(startup.get('options') ?? '')) this.set(name, value);
    for (const d of definitions) if (d.report) this.changed.add(d.name.toLowerCase());
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** Sets a value after checking it; returns the value as stored. */
  set(name: string, value: string): string {
    const key = name.toLowerCase();
    const def = byName.get(key);
    if (!def) {
      if (!key.includes('.')) throw new SabotError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
      this.write(key, value);
      return value;
    }
    if (def.readOnly) {
      throw new SabotError(SqlState.cantChangeRuntimeParam, `parameter "${key}" cannot be changed`);
    }
    const normalized = def.normalize ? def.normalize(value) : value;
    this.assign(key, normalized);
    return normalized;
  }

  reset(name: string): void {
    const key = name.toLowerCase();
    const def = byName.get(key);
    if (!def) {
      if (!key.includes('.')) throw new SabotError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
      this.write(key, undefined);
      return;
    }
    if (def.readOnly) throw new SabotError(SqlState.cantChangeRuntimeParam, `parameter "${key}" cannot be changed`);
    this.assign(key, def.default);
  }

  /** The value RESET would give (custom settings reset to empty). */
  defaultValue(name: string): string {
    return byName.get(name.toLowerCase())?.default ?? '';
  }

  resetAll(): void {
    for (const d of definitions) if (!d.readOnly) this.assign(d.name.toLowerCase(), d.default);
    for (const key of [...this.values.keys()]) if (!byName.has(key)) this.write(key, undefined);
  }

  /** A transaction starts: remember what changes from now on, to undo it on rollback. */
  track(): void {
    this.tracking = true;
    this.undo = undefined;
  }

  /** The transaction committed: keep the changes. */
  keepChanges(): void {
    this.tracking = false;
    this.undo = undefined;
  }

  /** The transaction rolled back: every setting gets its value from before it began. */
  undoChanges(): void {
    const undo = this.undo;
    this.tracking = false;
    this.undo = undefined;
    if (undo) for (const [key, value] of undo) this.write(key, value);
  }

  private assign(key: string, value: string): void {
    if (this.values.get(key) === value) return;
    this.write(key, value);
    if (byName.get(key)?.report) this.changed.add(key);
  }

  private write(key: string, value: string | undefined): void {
    if (this.tracking && !this.undo?.has(key)) (this.undo ??= new Map()).set(key, this.values.get(key));
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    this.formatCache = undefined;
    this.timeoutCache = undefined;
  }

  /** Reported settings changed since the last call, with their canonical names. */
  takeChanges(): [string, string][] {
    if (this.changed.size === 0) return [];
    const out: [string, string][] = [];
    for (const key of this.changed) out.push([byName.get(key)!.name, this.values.get(key)!]);
    this.changed.clear();
    return out;
  }

  /** Every setting for SHOW ALL: canonical name, value, description. */
  all(): [string, string, string][] {
    const rows: [string, string, string][] = definitions.map((d) => [d.name, this.values.get(d.name.toLowerCase())!, d.description]);
    for (const [key, value] of this.values) if (!byName.has(key)) rows.push([key, value, '']);
    return rows.sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
  }

  /** statement_timeout in milliseconds; 0 means none. */
  get statementTimeoutMillis(): number {
    return (this.timeoutCache ??= durationMillis(this.values.get('statement_timeout')!));
  }

  /** The settings text input and output depend on. */
  get format(): FormatSettings {
    return (this.formatCache ??= {
      timeZone: this.values.get('timezone')!,
      intervalStyle: this.values.get('intervalstyle') as FormatSettings['intervalStyle'],
      extraFloatDigits: Number(this.values.get('extra_float_digits')),
    });
  }
}
