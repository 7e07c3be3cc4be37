#!/usr/bin/env bash
# End-to-end check of a RUNNING Docker stack (make up; make ingest) against SPEC §9, over HTTP on the
# published localhost ports. Needs curl and python3 (no jq).
#
#   bash scripts/test-stack.sh            # after ONE `make ingest` into a fresh stack
#   bash scripts/test-stack.sh --ingest   # runs the compose producer once first (docker needed)
#   INGESTIONS=3 bash scripts/test-stack.sh   # after three producer runs: sums x3, series counts unchanged
#
# Figures are polled for up to STACK_WAIT_SECONDS (default 120): Prometheus scrapes every 15 s and Loki
# receives batches asynchronously. IngestionEchecDetecte fires for the 5 minutes after the failed run is
# counted: run this within a few minutes of the ingestion.
#
# Overrides: PROMETHEUS_URL, STACK_LOKI_URL, CONSUMER_URL (default: localhost and the ports of compose/.env),
# LOKI_LOOKBACK_HOURS (720), INGESTIONS (1), STACK_WAIT_SECONDS (120).
# Prints one PASS/FAIL line per check and, last, "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

# Host ports from compose/.env (or the example), unless given in the environment.
env_value() {
  local file key="$1"
  for file in compose/.env compose/.env.example; do
    if [ -f "$file" ] && grep -qE "^${key}=" "$file"; then
      grep -E "^${key}=" "$file" | tail -1 | cut -d= -f2- | tr -d '"'"'"
      return
    fi
  done
}
consumer_port=${CONSUMER_PORTS:-$(env_value CONSUMER_PORTS)}
consumer_port=${consumer_port%%-*}
PROMETHEUS_URL=${PROMETHEUS_URL:-http://localhost:${PROMETHEUS_PORT:-$(env_value PROMETHEUS_PORT)}}
STACK_LOKI_URL=${STACK_LOKI_URL:-http://localhost:${LOKI_PORT:-$(env_value LOKI_PORT)}}
CONSUMER_URL=${CONSUMER_URL:-http://localhost:${consumer_port:-8000}}
PROMETHEUS_URL=${PROMETHEUS_URL%:}; STACK_LOKI_URL=${STACK_LOKI_URL%:}
[ "$PROMETHEUS_URL" = "http://localhost" ] && PROMETHEUS_URL=http://localhost:9090
[ "$STACK_LOKI_URL" = "http://localhost" ] && STACK_LOKI_URL=http://localhost:3100
INGESTIONS=${INGESTIONS:-1}
WAIT=${STACK_WAIT_SECONDS:-120}
LOOKBACK_HOURS=${LOKI_LOOKBACK_HOURS:-720}

PASSED=0
FAILED=0
pass() { echo "PASS: $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { fail "$tool is required"; finish; }
done

if [ "${1:-}" = "--ingest" ]; then
  echo "== running the producer once (make ingest)"
  if make -s --no-print-directory ingest; then pass "producer run (make ingest) exited 0"; else fail "producer run (make ingest) failed"; fi
fi

echo "== stack: consumer $CONSUMER_URL, Prometheus $PROMETHEUS_URL, Loki $STACK_LOKI_URL (ingestions: $INGESTIONS)"

# ------------------------------------------------------------------------------------------------
# HTTP helpers
# ------------------------------------------------------------------------------------------------
BODY=""
STATUS=""
CURL_ERR=""
# http_get URL [curl args...]: sets BODY, STATUS ("000" when unreachable) and CURL_ERR; returns curl's status.
http_get() {
  local url="$1" out rc
  shift
  out=$(curl -sS -G --max-time 10 -w '\n%{http_code}' "$url" "$@" 2>/tmp/test-stack.curl.$$)
  rc=$?
  CURL_ERR=$(tr '\n' ' ' < /tmp/test-stack.curl.$$)
  rm -f /tmp/test-stack.curl.$$
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
  [ "$rc" -eq 0 ] || STATUS=000
  return $rc
}

# reachable NAME URL: one PASS/FAIL line; returns non-zero when the port does not answer.
reachable() {
  local name="$1" url="$2"
  if http_get "$url"; then
    pass "$name answers at $url (HTTP $STATUS)"
    return 0
  fi
  fail "$name is unreachable at $url (${CURL_ERR:-no answer}) — is the stack running? (make up; make health)"
  return 1
}

# Evaluates a python expression over the JSON in BODY (bound to d); prints the result.
json_eval() {
  BODY_JSON="$BODY" python3 -c '
import json, os, sys
try:
    d = json.loads(os.environ["BODY_JSON"])
except Exception:
    print("<not JSON>"); sys.exit(0)
def num(v):
    f = float(v)
    return str(int(f)) if f == int(f) else str(f)
try:
    print(eval(sys.argv[1]))
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
' "$1"
}

# prom EXPR PYEXPR: instant query; PYEXPR formats d["data"]["result"].
prom() {
  http_get "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" || { echo "<unreachable>"; return; }
  json_eval "$2"
}

loki_count() {
  local now start end limit=$((INGESTIONS * 200 + 1000))
  now=$(date +%s)
  start="$((now - LOOKBACK_HOURS * 3600))000000000"
  end="$((now + 600))000000000"
  http_get "$STACK_LOKI_URL/loki/api/v1/query_range" --data-urlencode "query=$1" \
    --data-urlencode "start=$start" --data-urlencode "end=$end" \
    --data-urlencode "limit=$limit" --data-urlencode "direction=backward" || { echo "<unreachable>"; return; }
  json_eval 'sum(len(s["values"]) for s in d["data"]["result"]) if d.get("status") == "success" else "<%s>" % d.get("error", d)'
}

# expect DESCRIPTION WANT COMMAND...: polls COMMAND until it prints WANT or STACK_WAIT_SECONDS pass.
expect() {
  local desc="$1" want="$2" got deadline
  shift 2
  deadline=$((SECONDS + WAIT))
  while :; do
    got=$("$@")
    [ "$got" = "$want" ] && { pass "$desc = $got"; return 0; }
    [ "$got" = "<unreachable>" ] && break
    [ "$SECONDS" -ge "$deadline" ] && break
    sleep 5
  done
  fail "$desc: want $want, got $got (after ${WAIT}s)"
  return 1
}

# ------------------------------------------------------------------------------------------------
# Consumer
# ------------------------------------------------------------------------------------------------
if reachable "consumer /health" "$CONSUMER_URL/health"; then
  consumer_status() {
    http_get "$CONSUMER_URL/health" || { echo "<unreachable>"; return; }
    echo "HTTP $STATUS $(json_eval 'd.get("status")')"
  }
  expect "consumer /health" "HTTP 200 UP" consumer_status
fi

# ------------------------------------------------------------------------------------------------
# Prometheus (SPEC §9)
# ------------------------------------------------------------------------------------------------
# the nine alerting rules of SPEC §7, sorted
EXPECTED_ALERTS="IngestionBurstErreurs,IngestionConsumerDown,IngestionEchecDetecte,IngestionKafkaLag,IngestionLatenceDegradee,IngestionSourceMuette,IngestionSurconsommationCPU,IngestionSurconsommationMemoire,IngestionTauxEchecEleve"
if reachable "Prometheus" "$PROMETHEUS_URL/-/ready"; then
  expect "count(ingestion_runs_total)" "72" \
    prom 'count(ingestion_runs_total)' 'num(d["data"]["result"][0]["value"][1]) if d["data"]["result"] else "empty"'
  expect "sum by (etat) (ingestion_runs_total)" "FAILED=$((INGESTIONS * 1)),SUCCESS=$((INGESTIONS * 71))" \
    prom 'sum by (etat) (ingestion_runs_total)' \
    '",".join(sorted("%s=%s" % (r["metric"].get("etat"), num(r["value"][1])) for r in d["data"]["result"])) or "empty"'
  expect "count(ingestion_duration_seconds_sum)" "72" \
    prom 'count(ingestion_duration_seconds_sum)' 'num(d["data"]["result"][0]["value"][1]) if d["data"]["result"] else "empty"'

  alert_rules() {
    http_get "$PROMETHEUS_URL/api/v1/rules" --data-urlencode "type=alert" || { echo "<unreachable>"; return; }
    json_eval '(lambda n: "%d:%s" % (len(n), ",".join(sorted(n))))([r["name"] for g in d["data"]["groups"] for r in g["rules"] if r.get("type") == "alerting"])'
  }
  expect "alerting rules loaded (/api/v1/rules)" "9:$EXPECTED_ALERTS" alert_rules

  firing_alerts() {
    http_get "$PROMETHEUS_URL/api/v1/alerts" || { echo "<unreachable>"; return; }
    json_eval '",".join(sorted({a["labels"]["alertname"] for a in d["data"]["alerts"] if a.get("state") == "firing"})) or "none"'
  }
  expect "firing alerts (/api/v1/alerts)" "IngestionEchecDetecte" firing_alerts
fi

# ------------------------------------------------------------------------------------------------
# Loki (SPEC §9)
# ------------------------------------------------------------------------------------------------
if reachable "Loki" "$STACK_LOKI_URL/ready"; then
  expect "Loki {job=\"ingestion-logs\"} lines (last ${LOOKBACK_HOURS}h)" "$((INGESTIONS * 72))" \
    loki_count '{job="ingestion-logs"}'
  expect "Loki {job=\"ingestion-logs\"} |= \"FAILED\" lines" "$((INGESTIONS * 1))" \
    loki_count '{job="ingestion-logs"} |= "FAILED"'
fi

finish
