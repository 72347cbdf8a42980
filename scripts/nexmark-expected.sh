#!/usr/bin/env bash
# Regenerates sql-tests/nexmark/q0.slt ... q8.slt: loads the .slt files' Nexmark run into
# PostgreSQL, runs each query's batch equivalent there, and writes its results into the
# files as the expected rows (see test/nexmark/write-slt.ts and test/nexmark/queries.ts).
# Uses SABOT_TEST_POSTGRES_URL, else the PostgreSQL at 127.0.0.1:5432, else a throwaway one.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build >/dev/null
pg_dir=
trap '[ -z "$pg_dir" ] || scripts/postgres.sh stop "$pg_dir"' EXIT
if [ -z "${SABOT_TEST_POSTGRES_URL:-}" ]; then
  read -r SABOT_TEST_POSTGRES_URL pg_dir < <(scripts/postgres.sh start)
  export SABOT_TEST_POSTGRES_URL
fi
mkdir -p sql-tests/nexmark
node dist/test/nexmark/write-slt.js sql-tests/nexmark
