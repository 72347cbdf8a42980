import { SabotError, SqlState } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { nexmarkEventRate } from './nexmark/nexmark-source.js';
import { nexmarkColumns, type NexmarkKind } from './nexmark/schema.js';

/** What CREATE STREAM may say about a connector, and the columns it brings itself. */
interface ConnectorSpec {
  required: string[];
  allowed: string[];
  /** Columns the connector defines (nexmark); a column list in CREATE STREAM is then refused. */
  columns?(options: Record<string, string>): { name: string; type: SqlType }[];
}

const specs: Record<string, ConnectorSpec> = {
  internal: { required: [], allowed: [] },
  blackhole: { required: [], allowed: [] },
  nexmark: {
    required: ['kind'],
    allowed: ['kind', 'events', 'rate', 'event_rate', 'seed'],
    columns: (o) => {
      const kind = o.kind as NexmarkKind;
      if (!(kind in nexmarkColumns)) {
        throw new SabotError(SqlState.invalidParameterValue, `nexmark kind must be bid, auction or person, not "${o.kind}"`);
      }
      nexmarkEventRate(o); // refuses a bad event_rate now rather than when the stream is read
      return nexmarkColumns[kind];
    },
  },
  kafka: {
    required: ['topic', 'bootstrap_servers'],
    allowed: ['topic', 'bootstrap_servers', 'format', 'scan_startup_mode', 'key', 'partitions', 'replication_factor',
      'group_id', 'timestamp_column'],
  },
};

export const connectorNames = Object.keys(specs);

/**
 * Checks a stream's connector and options: the connector exists, required options are
 * given, and no unknown option slipped in (a typo would otherwise be ignored silently).
 */
export function checkConnectorOptions(connector: string, options: Record<string, string>): { name: string; type: SqlType }[] | undefined {
  const spec = specs[connector];
  if (!spec) {
    throw new SabotError(SqlState.invalidParameterValue, `unknown connector "${connector}"`,
      { hint: `Connectors: ${connectorNames.join(', ')}; leave out "connector" for an internal stream.` });
  }
  for (const name of Object.keys(options)) {
    if (!spec.allowed.includes(name)) {
      throw new SabotError(SqlState.invalidParameterValue, `unknown option "${name}" for connector "${connector}"`,
        { hint: spec.allowed.length > 0 ? `Options of ${connector}: ${spec.allowed.join(', ')}.` : `${connector} takes no options.` });
    }
  }
  for (const name of spec.required) {
    if (options[name] === undefined) throw new SabotError(SqlState.invalidParameterValue, `connector "${connector}" needs option "${name}"`);
  }
  for (const name of ['events', 'rate', 'partitions', 'replication_factor']) {
    if (options[name] !== undefined && !/^\d+$/.test(options[name]!)) {
      throw new SabotError(SqlState.invalidParameterValue, `option "${name}" must be a non-negative integer, not "${options[name]}"`);
    }
  }
  return spec.columns?.(options);
}
