import { SabotError, SqlState } from '../../errors.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { typeByName } from '../../types/sql-type.js';
import type { CatalogAccess } from './catalog-store.js';
import type { CatalogRow } from './schema.js';

/** A stream as planning sees it: connector, options and typed columns. */
export interface StreamDefinition {
  name: string;
  connector: string;
  options: Record<string, string>;
  columns: ColumnSchema[];
  watermark: { column: string; expression: string } | null;
}

/** A stream's definition as streams.schema_json keeps it. */
export interface StreamSchemaJson {
  columns: { name: string; type: string; nullable: boolean }[];
  watermark: { column: string; expression: string } | null;
}

export function streamFromRow(row: CatalogRow): StreamDefinition {
  const schema = JSON.parse(row.schema_json as string) as StreamSchemaJson;
  return {
    name: row.name as string,
    connector: row.connector as string,
    options: JSON.parse(row.options_json as string) as Record<string, string>,
    columns: schema.columns.map((c) => {
      const type = typeByName(c.type);
      if (!type) throw new SabotError(SqlState.internalError, `stream ${String(row.name)} has a column of unknown type ${c.type}`);
      return { name: c.name, type, nullable: c.nullable };
    }),
    watermark: schema.watermark,
  };
}

/** Every stream of the catalog by name. */
export async function loadStreams(catalog: CatalogAccess): Promise<Map<string, StreamDefinition>> {
  return new Map((await catalog.select('streams')).map((r) => [r.name as string, streamFromRow(r)]));
}
