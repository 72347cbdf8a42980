import { Types, type SqlType } from '../../types/sql-type.js';
import type { CatalogStore } from './catalog-store.js';
import { catalogTables } from './schema.js';

/** A relation of schema pg_catalog, computed from Sabot's catalog when read. */
export interface PgCatalogRelation {
  name: string;
  columns: { name: string; type: SqlType }[];
  rows(catalog: CatalogStore): Promise<unknown[][]>;
}

/** OIDs of the schemas Sabot shows, as Postgres numbers pg_catalog and public. */
export const NAMESPACE_OIDS = { pg_catalog: 11, public: 2200, sabot: 16385, information_schema: 13000 } as const;
const OWNER_OID = 10;
const FIRST_RELATION_OID = 16400;

interface RelationEntry {
  oid: number;
  name: string;
  namespace: number;
  kind: 'r' | 'v';
  columns: { name: string; type: string; nullable: boolean }[];
}

/**
 * Streams are shown as tables of schema public, the system tables as views of schema
 * sabot. OIDs follow name order, so they are stable while the set of streams is.
 */
async function relations(catalog: CatalogStore): Promise<RelationEntry[]> {
  const streams = await catalog.select('streams');
  const out: RelationEntry[] = [];
  let oid = FIRST_RELATION_OID;
  for (const t of catalogTables.filter((x) => x.system)) {
    out.push({
      oid: oid++, name: t.name, namespace: NAMESPACE_OIDS.sabot, kind: 'v',
      columns: t.columns.map((c) => ({ name: c.name, type: c.type.name, nullable: 'nullable' in c && c.nullable === true })),
    });
  }
  for (const s of streams) {
    const schema = JSON.parse(s.schema_json as string) as { columns: { name: string; type: string; nullable: boolean }[] };
    out.push({ oid: oid++, name: s.name as string, namespace: NAMESPACE_OIDS.public, kind: 'r', columns: schema.columns });
  }
  return out;
}

const { oid, name, text, bool, int2, int4 } = { oid: Types.oid, name: Types.name, text: Types.text, bool: Types.bool, int2: Types.int2, int4: Types.int4 };
const typeOid = (typeName: string) => Object.values(Types).find((t) => t.name === typeName)?.oid ?? Types.text.oid;

/** The pg_catalog relations psql's \d, \dt, \dv and \dn and common drivers read. */
export const pgCatalogRelations: PgCatalogRelation[] = [
  {
    name: 'pg_namespace',
    columns: [{ name: 'oid', type: oid }, { name: 'nspname', type: name }, { name: 'nspowner', type: oid }],
    rows: async () => Object.entries(NAMESPACE_OIDS).map(([n, o]) => [o, n, OWNER_OID]),
  },
  {
    name: 'pg_class',
    columns: [
      { name: 'oid', type: oid }, { name: 'relname', type: name }, { name: 'relnamespace', type: oid },
      { name: 'relkind', type: text }, { name: 'relowner', type: oid }, { name: 'relam', type: oid },
      { name: 'relpersistence', type: text }, { name: 'relispartition', type: bool }, { name: 'relnatts', type: int2 },
      { name: 'relhasindex', type: bool },
    ],
    rows: async (catalog) => (await relations(catalog)).map((r) =>
      [r.oid, r.name, r.namespace, r.kind, OWNER_OID, 0, 'p', false, r.columns.length, false]),
  },
  {
    name: 'pg_attribute',
    columns: [
      { name: 'attrelid', type: oid }, { name: 'attname', type: name }, { name: 'atttypid', type: oid },
      { name: 'attnum', type: int2 }, { name: 'attnotnull', type: bool }, { name: 'attisdropped', type: bool },
      { name: 'atttypmod', type: int4 },
    ],
    rows: async (catalog) => (await relations(catalog)).flatMap((r) =>
      r.columns.map((c, i) => [r.oid, c.name, typeOid(c.type), i + 1, !c.nullable, false, -1])),
  },
  {
    name: 'pg_type',
    columns: [
      { name: 'oid', type: oid }, { name: 'typname', type: name }, { name: 'typnamespace', type: oid },
      { name: 'typlen', type: int2 }, { name: 'typtype', type: text },
    ],
    rows: async () => Object.values(Types).map((t) => [t.oid, t.kind, NAMESPACE_OIDS.pg_catalog, t.size, 'b']),
  },
  {
    name: 'pg_am',
    columns: [{ name: 'oid', type: oid }, { name: 'amname', type: name }],
    rows: async () => [],
  },
  {
    name: 'pg_description',
    columns: [{ name: 'objoid', type: oid }, { name: 'classoid', type: oid }, { name: 'objsubid', type: int4 }, { name: 'description', type: text }],
    rows: async () => [],
  },
];
