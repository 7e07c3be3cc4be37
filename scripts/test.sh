#!/usr/bin/env bash
# The project's whole test run, from a fresh machine: installs what the tests need (idempotent), then runs
# the dashboard tests (Node), the Docker stack checks (no engine needed) and the Maven build with every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing from Debian: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== Prometheus 3.5 LTS, promtool and Alertmanager from Debian sid (own apt configuration, under target/)"
# the tests run on both Prometheus lines (SPEC §10): bookworm's from PATH, sid's from these variables
sid_binaries=$(bash scripts/fetch-sid-monitoring.sh)
while IFS= read -r assignment; do
  export "${assignment?}"
done <<< "$sid_binaries"

echo "== Real Loki for the tests (../shared/loki, when beside the clone)"
LOKI_XZ=${LOKI_XZ:-../shared/loki/loki-3.7.6-linux-amd64.xz}
if [ -f "$LOKI_XZ" ]; then
  mkdir -p target
  if [ ! -x target/loki ] || [ "$LOKI_XZ" -nt target/loki ]; then
    xz -dc "$LOKI_XZ" > target/loki.tmp && chmod +x target/loki.tmp && mv target/loki.tmp target/loki
  fi
  LOKI_BIN="$PWD/target/loki"
  export LOKI_BIN
  "$LOKI_BIN" -version | head -n1
else
  echo "no $LOKI_XZ: the real-Loki tests will be skipped (they say so); the rest runs on the Loki-protocol test server"
fi

echo "== Dashboard: generator up to date, lint, PromQL/LogQL grammar"
(cd tools/dashboard && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== Docker stack configuration"
bash scripts/check-compose.sh

echo "== Maven: unit, integration and end-to-end tests"
mvn -B verify
