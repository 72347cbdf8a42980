#!/usr/bin/env bash
# Runs every test: the node:test suites, then the .slt files against live servers.
# Expects a build (npm test builds first). Prints a combined `N passed, N failed` last.
set -u
cd "$(dirname "$0")/.."

unit_log=$(mktemp)
pg_dir=
kafka_state=
cleanup() {
  rm -f "$unit_log"
  [ -z "$pg_dir" ] || scripts/postgres.sh stop "$pg_dir"
  if [ -n "$kafka_state" ]; then
    SABOT_KAFKA_STATE=$kafka_state scripts/kafka.sh stop
    rm -rf "$kafka_state"
  fi
}
trap cleanup EXIT

# The catalog tests run on PostgreSQL too: the one given, the local one, or a throwaway one.
if [ -z "${SABOT_TEST_POSTGRES_URL:-}" ]; then
  read -r pg_url pg_dir < <(scripts/postgres.sh start) || { echo "cannot start PostgreSQL for the tests" >&2; exit 1; }
  export SABOT_TEST_POSTGRES_URL=$pg_url
fi

# The Kafka tests use a real broker: the one given, or one started for this run in its own
# state directory (stopped and removed at the end).
if [ -z "${SABOT_TEST_KAFKA:-}" ]; then
  kafka_state=$(mktemp -d /tmp/sabot-kafka.XXXXXX)
  SABOT_TEST_KAFKA=$(SABOT_KAFKA_STATE=$kafka_state scripts/kafka.sh start) || { echo "cannot start Kafka for the tests" >&2; exit 1; }
  export SABOT_TEST_KAFKA
fi

mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test --test-reporter=spec --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter-destination="$unit_log" "${files[@]}"
unit_status=$?
unit_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$unit_log" | tail -1)
unit_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$unit_log" | tail -1)

slt_log=$(mktemp)
node dist/test/slt/main.js sql-tests | tee "$slt_log"
slt_status=${PIPESTATUS[0]}
slt_line=$(tail -1 "$slt_log")
rm -f "$slt_log"
slt_pass=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$slt_line")
slt_fail=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$slt_line")

passed=$(( ${unit_pass:-0} + ${slt_pass:-0} ))
failed=$(( ${unit_fail:-0} + ${slt_fail:-0} ))
if [ "$unit_status" -ne 0 ] || [ "$slt_status" -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "node:test ${unit_pass:-0} passed, ${unit_fail:-0} failed; sqllogictest ${slt_pass:-0} passed, ${slt_fail:-0} failed"
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
