#!/usr/bin/env bash
# Fetches Prometheus 3.5 LTS, its promtool and Alertmanager from Debian sid and unpacks them under
# target/debian-sid/root, WITHOUT touching the system's apt sources or installing anything: apt runs with a
# configuration of its own (sources list, package lists and cache under target/debian-sid), `apt-get download`
# fetches the .deb files by package name and `dpkg-deb -x` unpacks them.
# Idempotent and cached: nothing is fetched again while the unpacked binaries are there.
# The mirror is the machine's own Debian mirror (from /etc/apt/sources.list{,.d}); DEBIAN_SID_URI overrides it.
# Prints the lines `PROMETHEUS3_BIN=...`, `PROMTOOL3_BIN=...`, `ALERTMANAGER_SID_BIN=...` on stdout (last lines),
# for the caller to export; everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR="$PWD/target/debian-sid"
ROOT="$DIR/root"
PACKAGES=(prometheus promtool prometheus-alertmanager)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

binaries_present() {
  [ -x "$ROOT/usr/bin/prometheus" ] && [ -x "$ROOT/usr/bin/promtool" ] && [ -x "$ROOT/usr/bin/prometheus-alertmanager" ]
}

debian_uri() {
  if [ -n "${DEBIAN_SID_URI:-}" ]; then echo "$DEBIAN_SID_URI"; return; fi
  # deb822 files (URIs: ...) first, then one-line sources; the archive itself, not debian-security
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' \
    | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' \
      | grep -E '/debian/?$' | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! binaries_present; then
  mkdir -p "$DIR/etc" "$DIR/lists/partial" "$DIR/cache/archives/partial" "$DIR/debs"
  uri=$(debian_uri)
  echo "deb [signed-by=$KEYRING] $uri sid main" > "$DIR/etc/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$DIR/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$DIR/lists" -o "Dir::Cache=$DIR/cache" -o Debug::NoLocking=1)
  # as root, apt would drop to the _apt user, who cannot write into this tree
  [ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
  echo "Debian sid ($uri): apt-get update with target/debian-sid's own configuration" >&2
  apt-get "${apt_opts[@]}" update -qq >&2
  apt-cache "${apt_opts[@]}" policy "${PACKAGES[@]}" | grep -E '^[a-z]|Candidate' >&2
  (cd "$DIR/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" download "${PACKAGES[@]}" >&2)
  rm -rf "$ROOT"
  for deb in "$DIR"/debs/*.deb; do
    dpkg-deb -x "$deb" "$ROOT"
  done
  binaries_present || { echo "Debian sid packages unpacked, but a binary is missing under $ROOT" >&2; exit 1; }
fi

prometheus_version=$("$ROOT/usr/bin/prometheus" --version 2>&1 | head -n1)
case "$prometheus_version" in
  *"version 3.5."*) ;;
  *) echo "WARNING: Debian sid's prometheus is no longer the 3.5 LTS line: $prometheus_version" >&2 ;;
esac
echo "$prometheus_version; $("$ROOT/usr/bin/prometheus-alertmanager" --version 2>&1 | head -n1)" >&2
echo "PROMETHEUS3_BIN=$ROOT/usr/bin/prometheus"
echo "PROMTOOL3_BIN=$ROOT/usr/bin/promtool"
echo "ALERTMANAGER_SID_BIN=$ROOT/usr/bin/prometheus-alertmanager"
