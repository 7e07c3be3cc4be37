#!/usr/bin/env bash
# The pipeline under `camel run` (Camel JBang 4.10.5), end to end, in about a minute: docs/camel-run.md.
#
#   bash scripts/camel-run.sh
#
# 1. builds the app jar (its embedded KRaft broker is used here as a standalone broker) and fetches Camel JBang
#    4.10.5 from Maven Central into target/camel-jbang/lib (once; org.jolokia excluded);
# 2. starts a fresh single-node Kafka broker on 127.0.0.1:$CHECK_KAFKA_PORT (default 19092);
# 3. runs the routes and Java sources with `camel run`, ROLE=all equivalent, REBASE_TIMESTAMPS=true, logs.json;
# 4. waits for SPEC §9's figures on :$CHECK_METRICS_PORT/metrics (default 18000): 72 ingestion_runs_total series,
#    SUCCESS 71 and FAILED 1, and /health answering 200 UP;
# 5. prints PASS or FAIL (exit 1), and stops both processes it started.
#
# CAMEL_KAFKA_VERSION=4.10.5 runs with the camel-kafka JBang picks by itself, to see CAMEL-22150 lose records.
# Logs: target/camel-run/camel-run.log and target/camel-run/broker.log.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

JBANG_VERSION=4.10.5
CAMEL_KAFKA_VERSION="${CAMEL_KAFKA_VERSION:-4.10.7}"
KAFKA_PORT="${CHECK_KAFKA_PORT:-19092}"
METRICS_PORT="${CHECK_METRICS_PORT:-18000}"
TIMEOUT="${CHECK_TIMEOUT:-150}"
JBANG_LIB="$ROOT/target/camel-jbang/lib"
WORK="$ROOT/target/camel-run"
EXPECTED_SERIES=72

START=$(date +%s.%N)
elapsed() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", n - s }'; }
say() { echo "[$(elapsed)] $*"; }

BROKER_PID=""
CAMEL_PID=""
stop() {
  local pid="$1" name="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name (pid $pid) did not stop within 20 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$CAMEL_PID" "camel run"
  stop "$BROKER_PID" "Kafka broker"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  say "FAIL: $*"
  for log in "$WORK/camel-run.log" "$WORK/broker.log"; do
    [ -f "$log" ] && { echo "--- last lines of $log"; grep -v '^\s*at ' "$log" | tail -25; }
  done
  exit 1
}
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mvn_offline_first() { mvn -B -q -o "$@" >/dev/null 2>&1 || mvn -B -q "$@"; }

mkdir -p "$WORK"
for port in "$KAFKA_PORT" "$METRICS_PORT"; do
  in_use "$port" && fail "port $port is in use: stop what uses it or set CHECK_KAFKA_PORT / CHECK_METRICS_PORT"
done

# 1. the app jar (for the broker) and Camel JBang
mvn_offline_first package -DskipTests || fail "mvn package failed"
say "built target/ingestion-observability.jar"
if [ ! -f "$JBANG_LIB/camel-jbang-main-$JBANG_VERSION.jar" ]; then
  mvn_offline_first -f scripts/camel-run/camel-jbang.pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$JBANG_LIB" || fail "could not fetch Camel JBang $JBANG_VERSION from Maven"
  say "fetched Camel JBang $JBANG_VERSION into target/camel-jbang/lib ($(ls "$JBANG_LIB" | wc -l) files)"
else
  say "Camel JBang $JBANG_VERSION already in target/camel-jbang/lib"
fi
JBANG_REPORTED=$(java -cp "$JBANG_LIB/*" main.CamelJBang version 2>&1 | grep -o 'Camel JBang version: .*' || true)
[ "$JBANG_REPORTED" = "Camel JBang version: $JBANG_VERSION" ] || fail "unexpected Camel JBang: '$JBANG_REPORTED'"

# 2. a fresh standalone broker
java -cp target/ingestion-observability.jar scripts/camel-run/CheckBroker.java \
    "$KAFKA_PORT" ingestion-logs ingestion-logs.dlq >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 120); do
  grep -q '^BROKER READY' "$WORK/broker.log" 2>/dev/null && break
  kill -0 "$BROKER_PID" 2>/dev/null || fail "the Kafka broker exited"
  sleep 0.5
done
grep -q '^BROKER READY' "$WORK/broker.log" || fail "the Kafka broker was not ready within 60 s"
say "Kafka broker ready on 127.0.0.1:$KAFKA_PORT (pid $BROKER_PID)"

# 3. camel run: the YAML routes, the Java sources except the launcher (embedded broker, java -jar main) and http/
#    (our /metrics handler on the management server, which Camel 4.10 has not: there Camel's handler serves it),
#    the 4.10 overlay and application.properties, the dependencies the Java sources compile against.
mapfile -t JAVA_SOURCES < <(find src/main/java/io/ingestobs -name '*.java' -not -path '*/launcher/*' \
  -not -path '*/http/*' | sort)
if [ "$CAMEL_KAFKA_VERSION" = "$JBANG_VERSION" ]; then
  DEPS="camel:kafka,camel:micrometer-prometheus,camel:http"
else
  DEPS="org.apache.camel:camel-kafka:$CAMEL_KAFKA_VERSION,camel:micrometer-prometheus,camel:http"
fi
CAMEL_RUN=(java -cp "$JBANG_LIB/*" main.CamelJBang run routes/*.yaml "${JAVA_SOURCES[@]}"
  src/main/jbang/camel-run.properties src/main/resources/application.properties
  --dep="$DEPS" --logging-category=org.apache.kafka=WARN --logging-color=false --max-seconds=$((TIMEOUT + 60)))
echo "camel run: java -cp 'target/camel-jbang/lib/*' main.CamelJBang run routes/*.yaml <${#JAVA_SOURCES[@]} .java files" \
  "except launcher/ and http/> src/main/jbang/camel-run.properties src/main/resources/application.properties --dep=$DEPS" \
  "--logging-category=org.apache.kafka=WARN"
# ROLE=all equivalent (both routes start by default), a clean environment for the figures of SPEC §9.
env -u ROLE -u KAFKA_TOPIC -u KAFKA_DLQ_TOPIC -u KAFKA_GROUP_ID -u KAFKA_SECURITY_PROTOCOL -u KAFKA_SASL_MECHANISM \
    -u KAFKA_SASL_JAAS_CONFIG -u INPUT_DIR -u LOKI_URL -u ROUTES_RELOAD -u ROUTES_DIR -u SIMULATE_REALTIME \
    KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" METRICS_PORT="$METRICS_PORT" LOGS_FILE_PATH=logs.json \
    REBASE_TIMESTAMPS=true "${CAMEL_RUN[@]}" >"$WORK/camel-run.log" 2>&1 &
CAMEL_PID=$!
say "camel run started (pid $CAMEL_PID)"

# 4. the figures
METRICS="http://127.0.0.1:$METRICS_PORT/metrics"
HEALTH="http://127.0.0.1:$METRICS_PORT/health"
series=0
up=""
deadline=$(( $(date +%s) + TIMEOUT ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  kill -0 "$CAMEL_PID" 2>/dev/null || fail "camel run exited"
  if [ -z "$up" ] && curl -fs --max-time 2 "$HEALTH" >/dev/null 2>&1; then
    up=1
    say "camel run answers on :$METRICS_PORT (/health UP)"
  fi
  series=$(curl -s --max-time 5 "$METRICS" 2>/dev/null | grep -c '^ingestion_runs_total{' || true)
  [ "$series" -ge "$EXPECTED_SERIES" ] && break
  sleep 1
done
if [ "$series" -lt "$EXPECTED_SERIES" ]; then
  hint=""
  [ "$CAMEL_KAFKA_VERSION" = 4.10.5 ] && hint=" (camel-kafka 4.10.5 drops records: CAMEL-22150, see docs/camel-run.md)"
  fail "$series ingestion_runs_total series after ${TIMEOUT}s, expected $EXPECTED_SERIES$hint"
fi
sleep 2 # nothing counted twice: the figures stay put
scrape=$(curl -s --max-time 5 "$METRICS")
series=$(grep -c '^ingestion_runs_total{' <<<"$scrape" || true)
by_etat=$(grep '^ingestion_runs_total{' <<<"$scrape" | sed -E 's/.*etat="([^"]*)".* ([0-9.eE+]+)$/\1 \2/' |
  awk '{ n[$1] += $2 } END { for (e in n) printf "%s %d\n", e, n[e] }' | sort -r | paste -sd, -)
published=$(grep '^ingestion_records_published_total ' <<<"$scrape" | awk '{ printf "%d", $2 }')
health_code=$(curl -s -o "$WORK/health.json" -w '%{http_code}' --max-time 5 "$HEALTH" || true)
summary=$(grep -o 'Producteur terminé: .*' "$WORK/camel-run.log" | head -1 || true)
say "$series ingestion_runs_total series ($by_etat), $published published; /health $health_code $(tr -d ' \n' <"$WORK/health.json")"
say "producer: $summary"
[ "$series" = "$EXPECTED_SERIES" ] || fail "expected exactly $EXPECTED_SERIES series, got $series"
[ "$by_etat" = "SUCCESS 71,FAILED 1" ] || fail "expected SUCCESS 71, FAILED 1, got $by_etat"
[ "$health_code" = 200 ] && grep -q '"UP"' "$WORK/health.json" || fail "/health answered $health_code"
[ "$summary" = "Producteur terminé: 72 succès, 0 erreurs" ] || fail "unexpected producer summary: '$summary'"
camel_version=$(grep -o 'Apache Camel [0-9.]* ([^)]*) started' "$WORK/camel-run.log" | head -1 || true)
say "PASS: the pipeline runs under Camel JBang $JBANG_VERSION (${camel_version:-Camel started}), camel-kafka $CAMEL_KAFKA_VERSION"
