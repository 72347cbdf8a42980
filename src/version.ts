import { readFileSync } from 'node:fs';

/** Sabot's own version, from package.json. */
export const SABOT_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** The Postgres version Sabot speaks for: clients read server_version to pick features. */
export const POSTGRES_VERSION = '16.4';
export const POSTGRES_VERSION_NUM = '160004';

export const SERVER_VERSION = `${POSTGRES_VERSION} (Sabot ${SABOT_VERSION})`;

export const VERSION_STRING =
  `PostgreSQL ${POSTGRES_VERSION} (Sabot ${SABOT_VERSION}) on ${process.arch}-${process.platform}, ` +
  `compiled by Node.js ${process.version}, 64-bit`;
