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
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing from Debian: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== Dashboard: generator up to date, lint, PromQL/LogQL grammar"
(cd tools/dashboard && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== Docker stack configuration"
bash scripts/check-compose.sh

echo "== Maven: unit, integration and end-to-end tests"
mvn -B verify
