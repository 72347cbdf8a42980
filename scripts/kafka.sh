#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft mode) on 127.0.0.1, for the tests and for trying Sabot.
#   scripts/kafka.sh start   starts the broker, or finds it running, and prints its bootstrap
#                            address (host:port) as the last line once it answers
#   scripts/kafka.sh stop    stops it, keeping its data: the next start brings it back on the
#                            same port with the same topics
# The broker's jars come from Maven Central with mvn, once, into $SABOT_KAFKA_CACHE (default
# ~/.cache/sabot/kafka). Its data, ports and log live in $SABOT_KAFKA_STATE (default
# ~/.local/state/sabot/kafka); a different state directory is a different broker.
set -euo pipefail

version=${SABOT_KAFKA_VERSION:-4.1.0}
cache=${SABOT_KAFKA_CACHE:-$HOME/.cache/sabot/kafka}
state=${SABOT_KAFKA_STATE:-$HOME/.local/state/sabot/kafka}
lib=$cache/$version/lib

say() { echo "kafka.sh: $*" >&2; }
fail() {
  say "$*"
  if [ -f "$state/broker.log" ]; then
    echo "--- last lines of $state/broker.log ---" >&2
    tail -40 "$state/broker.log" >&2
  fi
  exit 1
}

# The broker's classpath: kafka_2.13 and what it needs at run time, plus the log4j binding
# for slf4j (without it the broker logs nothing).
fetch() {
  [ -f "$lib/.complete" ] && return
  mkdir -p "$cache/$version"
  exec 8>"$cache/$version/.lock"
  flock 8
  if [ ! -f "$lib/.complete" ]; then
    say "fetching Apache Kafka $version from Maven Central into $cache"
    cat >"$cache/$version/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sabot</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
EOF
    rm -rf "$lib.partial"
    mvn -q -B -Dstyle.color=never -f "$cache/$version/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$lib.partial" >&2 || fail "mvn could not fetch Apache Kafka $version"
    rm -rf "$lib"
    mv "$lib.partial" "$lib"
    touch "$lib/.complete"
  fi
  exec 8>&-
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The pid of this state directory's broker when it runs.
running_pid() {
  [ -f "$state/pid" ] || return 1
  local pid
  pid=$(cat "$state/pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$state/server.properties" || return 1
  echo "$pid"
}

answers() {
  kcat -b "$1" -L -m 2 2>/dev/null | grep -q '^ *1 brokers:'
}

configure() {
  local port=$1 controller_port=$2
  cat >"$state/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$state/data
# Producing to an unknown topic creates it with one partition (kcat in the tests relies on it).
auto.create.topics.enable=true
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$state/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
EOF
}

start() {
  local tool
  for tool in java mvn kcat python3; do
    command -v "$tool" >/dev/null || { say "$tool is needed (Debian: apt-get install openjdk-17-jre-headless maven kcat python3)"; exit 1; }
  done
  mkdir -p "$state"
  exec 9>"$state/.lock"
  flock 9
  local port controller_port pid
  if [ -f "$state/ports" ]; then
    read -r port controller_port <"$state/ports"
  else
    port=$(free_port)
    controller_port=$(free_port)
    while [ "$controller_port" = "$port" ]; do controller_port=$(free_port); done
    echo "$port $controller_port" >"$state/ports"
  fi
  local address=127.0.0.1:$port

  if ! pid=$(running_pid); then
    fetch
    configure "$port" "$controller_port"
    local java=(java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
      -Dlog4j2.configurationFile="$state/log4j2.properties" -cp "$lib/*")
    if [ ! -f "$state/data/meta.properties" ]; then
      "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
        -c "$state/server.properties" >>"$state/broker.log" 2>&1 9>&- || fail "cannot format the broker's storage in $state/data"
    fi
    # The broker keeps running after this script: no terminal, no lock, its output in the log.
    "${java[@]}" kafka.Kafka "$state/server.properties" </dev/null >>"$state/broker.log" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$state/pid"
    say "started the broker (pid $pid) at $address, data in $state/data"
  fi

  local deadline=$((SECONDS + ${SABOT_KAFKA_START_TIMEOUT:-120}))
  until answers "$address"; do
    kill -0 "$pid" 2>/dev/null || { rm -f "$state/pid"; fail "the broker exited before it answered at $address"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "the broker (pid $pid) does not answer at $address"
    sleep 0.5
  done
  echo "$address"
}

stop() {
  [ -d "$state" ] || return 0
  exec 9>"$state/.lock"
  flock 9
  local pid
  if pid=$(running_pid); then
    kill -TERM "$pid"
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "the broker (pid $pid) did not stop within 60 s; killing it"
      kill -KILL "$pid"
    fi
  fi
  rm -f "$state/pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: scripts/kafka.sh start | stop" >&2
    exit 2
    ;;
esac
