#!/usr/bin/env bash
# Validates the Docker stack WITHOUT a Docker engine (only client tools and config linters):
#   (a) docker-compose 1.29 (Debian) accepts compose/docker-compose.yml (and `docker compose` v2 when present)
#       + the file's structure: services, healthchecks, depends_on conditions, profile, volumes, no secret
#   (b) every bind-mounted host path (and the build context) exists in the repository
#   (c) addresses agree: Prometheus scrape/Alertmanager targets, Grafana datasource URLs, the app's
#       KAFKA_BOOTSTRAP_SERVERS / LOKI_URL, Kafka's advertised listeners <-> service names and container ports
#   (d) compose/loki/loki-config.yml parses and has the blocks and values Loki 3.x needs
#   (e) promtool check config accepts compose/prometheus/prometheus.yml (rule_files mapped to the repo's folder),
#       amtool (bookworm's, and sid's when at hand) accepts the Alertmanager configuration that
#       compose/alertmanager/render-config.sh writes, with no receiver and with every receiver set
#   (g) Alloy (profile logs): service, mounts, and its config's components and Loki URL agree with the loki service
#   (f) `make help` lists every Makefile target; Dockerfile and .dockerignore/.gitignore sanity
# Missing tools come from Debian's packages (docker-compose, prometheus, prometheus-alertmanager, python3-yaml),
# installed only when absent. Prints one PASS/FAIL line per check and, last, "N passed, M failed".
# Exit status: 0 when nothing failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

COMPOSE_FILE=compose/docker-compose.yml
if [ -f compose/.env ]; then ENV_FILE=compose/.env; else ENV_FILE=compose/.env.example; fi
PROM_CONFIG=compose/prometheus/prometheus.yml
AM_RENDER=compose/alertmanager/render-config.sh
AM_TEMPLATES=compose/alertmanager/templates

PASSED=0
FAILED=0
pass() { echo "PASS: $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
skip() { echo "SKIP: $*"; }

APT_UPDATED=""
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo="sudo -n"
  fi
  if [ -z "$APT_UPDATED" ]; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# Runs a command whose output holds "PASS: ..." / "FAIL: ..." lines and adds them to the counts.
run_counted() {
  local out rc n_pass n_fail
  out=$("$@" 2>&1)
  rc=$?
  [ -n "$out" ] && printf '%s\n' "$out"
  n_pass=$(printf '%s\n' "$out" | grep -c '^PASS: ' || true)
  n_fail=$(printf '%s\n' "$out" | grep -c '^FAIL: ' || true)
  PASSED=$((PASSED + n_pass))
  FAILED=$((FAILED + n_fail))
  if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
    fail "$1 exited with status $rc"
  fi
}

echo "== check-compose: $ROOT (env file: $ENV_FILE)"

# ------------------------------------------------------------------------------------------------
# Tools
# ------------------------------------------------------------------------------------------------
PY=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
    PY=$candidate
    break
  fi
done
if [ -z "$PY" ]; then
  apt_install python3-yaml
  if /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then PY=/usr/bin/python3; fi
fi
command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
command -v promtool >/dev/null 2>&1 || apt_install prometheus
command -v amtool >/dev/null 2>&1 || apt_install prometheus-alertmanager
command -v make >/dev/null 2>&1 || apt_install make

# ------------------------------------------------------------------------------------------------
# (a) docker-compose config
# ------------------------------------------------------------------------------------------------
if [ ! -f "$COMPOSE_FILE" ]; then
  fail "(a) $COMPOSE_FILE is missing"
elif ! command -v docker-compose >/dev/null 2>&1; then
  fail "(a) docker-compose is not installed and could not be installed (apt-get install docker-compose)"
else
  out=$(docker-compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" config -q 2>&1)
  rc=$?
  out=$(printf '%s' "$out" | tr '\n' ' ')
  if [ $rc -ne 0 ]; then
    fail "(a) docker-compose $(docker-compose version --short 2>/dev/null) config rejects $COMPOSE_FILE: $out"
  elif printf '%s' "$out" | grep -q 'variable is not set'; then
    fail "(a) docker-compose config: unset variables: $out"
  else
    pass "(a) docker-compose $(docker-compose version --short 2>/dev/null) config -q accepts $COMPOSE_FILE with $ENV_FILE"
    profiles=$(docker-compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" config --profiles 2>/dev/null)
    if grep -qx 'logs' <<< "$profiles"; then
      pass "(a) profile 'logs' is defined (alloy, the stack's log collector)"
    else
      fail "(a) profile 'logs' not found in docker-compose config --profiles (got: ${profiles:-nothing})"
    fi
    if grep -qx 'tools' <<< "$profiles"; then
      pass "(a) profile 'tools' is defined (producer)"
    else
      fail "(a) profile 'tools' not found in docker-compose config --profiles (got: ${profiles:-nothing})"
    fi
  fi
fi
if docker compose version >/dev/null 2>&1; then
  if out=$(docker compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" config -q 2>&1); then
    pass "(a) docker compose (v2) config -q accepts $COMPOSE_FILE"
  else
    fail "(a) docker compose (v2) config rejects $COMPOSE_FILE: $(printf '%s' "$out" | tr '\n' ' ')"
  fi
else
  skip "(a) docker compose v2 plugin not installed: only docker-compose 1.29 validated the file"
fi

# ------------------------------------------------------------------------------------------------
# (a)-(d) structure, bind mounts, addresses, Loki config: python3 + PyYAML
# ------------------------------------------------------------------------------------------------
TMPDIR_CHECK=$(mktemp -d)
trap 'rm -rf "$TMPDIR_CHECK"' EXIT

if [ -z "$PY" ]; then
  fail "(b)(c)(d) python3 with PyYAML unavailable (apt-get install python3-yaml): structure, mounts, addresses and Loki config unchecked"
else
  cat > "$TMPDIR_CHECK/check_compose.py" <<'PYEOF'
import glob
import os
import re
import sys
from urllib.parse import urlparse

import yaml

root, compose_path, env_path, prom_path, tmpdir = sys.argv[1:6]
compose_dir = os.path.dirname(os.path.abspath(compose_path))


def ok(msg):
    print("PASS: " + msg)


def ko(msg):
    print("FAIL: " + msg)


def check(cond, good, bad):
    (ok if cond else ko)(good if cond else bad)
    return cond


def rel(path):
    return os.path.relpath(path, root)


# ---- environment and interpolation, as compose does it (shell environment wins over the env file) ----
def read_env_file(path):
    env = {}
    if not os.path.isfile(path):
        return env
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


env_file_vars = read_env_file(env_path)
ENV = dict(env_file_vars)
ENV.update(os.environ)
VAR_RE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
REFERENCED = {}


def interpolate(text, env=ENV, record=True):
    def repl(m):
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        op, arg = m.group(3), m.group(4)
        if record:
            REFERENCED.setdefault(name, op)
        value = env.get(name)
        if op == ":-":
            return value if value else interpolate(arg, env, record)
        if op == "-":
            return value if value is not None else interpolate(arg, env, record)
        if op in (":?", "?"):
            if (op == ":?" and not value) or value is None:
                raise ValueError("required variable %s is not set: %s" % (name, arg))
            return value
        return value or ""
    return VAR_RE.sub(repl, text)


def interpolate_tree(node):
    if isinstance(node, dict):
        return {k: interpolate_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v) for v in node]
    if isinstance(node, str):
        return interpolate(node)
    return node


try:
    raw = yaml.safe_load(open(compose_path, encoding="utf-8"))
except Exception as e:  # noqa: BLE001
    ko("(a) %s does not parse as YAML: %s" % (compose_path, e))
    sys.exit(0)
try:
    compose = interpolate_tree(raw)
except ValueError as e:
    ko("(a) interpolation of %s with %s: %s" % (compose_path, env_path, e))
    sys.exit(0)

services = compose.get("services") or {}
raw_services = raw.get("services") or {}

# ---- structure ------------------------------------------------------------------------------------
EXPECTED = ["kafka", "kafka-init", "kafka-ui", "consumer", "producer", "prometheus", "alertmanager", "loki", "grafana"]
ONE_SHOT = {"kafka-init", "producer"}
missing = [s for s in EXPECTED if s not in services]
check(not missing, "(a) services present: " + ", ".join(EXPECTED), "(a) services missing: " + ", ".join(missing))
check("version" not in raw, "(a) no obsolete top-level 'version:' key", "(a) top-level 'version:' key present (obsolete in the Compose spec)")


def healthcheck_of(name):
    hc = services.get(name, {}).get("healthcheck")
    if not hc or hc.get("disable") or hc.get("test") in (None, ["NONE"], "NONE"):
        return None
    return hc


no_hc = [s for s in services if s not in ONE_SHOT and not healthcheck_of(s)]
check(not no_hc, "(a) every long-running service has a healthcheck (%d services)" % len([s for s in services if s not in ONE_SHOT]),
      "(a) long-running services without a healthcheck: " + ", ".join(no_hc))


def depends(name):
    dep = services.get(name, {}).get("depends_on") or {}
    if isinstance(dep, list):
        return {d: "service_started" for d in dep}
    return {d: (c or {}).get("condition", "service_started") for d, c in dep.items()}


WANT_DEPS = {
    "consumer": {"kafka": "service_healthy", "loki": "service_healthy", "kafka-init": "service_completed_successfully"},
    "producer": {"kafka": "service_healthy", "kafka-init": "service_completed_successfully"},
    "kafka-init": {"kafka": "service_healthy"},
    "kafka-ui": {"kafka": "service_healthy"},
    "grafana": {"prometheus": "service_healthy", "loki": "service_healthy"},
}
bad_deps = []
for svc, wants in WANT_DEPS.items():
    have = depends(svc)
    for dep, cond in wants.items():
        if have.get(dep) != cond:
            bad_deps.append("%s -> %s: %s (want %s)" % (svc, dep, have.get(dep, "absent"), cond))
for svc in services:
    for dep, cond in depends(svc).items():
        if dep not in services:
            bad_deps.append("%s depends on unknown service %s" % (svc, dep))
        elif cond == "service_healthy" and not healthcheck_of(dep):
            bad_deps.append("%s waits for %s to be healthy but %s has no healthcheck" % (svc, dep, dep))
check(not bad_deps, "(a) depends_on conditions (healthy / completed_successfully) are as required",
      "(a) depends_on: " + "; ".join(bad_deps))

# Pinned images (SPEC §10): the current LTS / stable lines, each overridable by its *_IMAGE variable
IMAGE_LINES = {
    "prometheus": ("PROMETHEUS_IMAGE", "prom/prometheus", r"v3\.5\.\d+$", "the 3.5 LTS line (v3.5.x)"),
    "alertmanager": ("ALERTMANAGER_IMAGE", "prom/alertmanager", r"v0\.(2[89]|[3-9]\d)\.\d+$", "0.28 or later"),
    "loki": ("LOKI_IMAGE", "grafana/loki", r"3\.7\.\d+$", "the 3.7 line"),
    "grafana": ("GRAFANA_IMAGE", "grafana/grafana", r"12\.\d+\.\d+$", "the 12.x line"),
}
image_problems, image_seen = [], []
example_env = read_env_file(os.path.join(compose_dir, ".env.example"))
for svc, (var, repo, tag_re, line) in IMAGE_LINES.items():
    raw_image = str((raw_services.get(svc) or {}).get("image", ""))
    m = re.fullmatch(r"\$\{" + var + r":-([^}]+)\}", raw_image)
    if not m:
        image_problems.append("%s image is '%s', want ${%s:-%s:<tag>}" % (svc, raw_image, var, repo))
        continue
    default = m.group(1)
    name, _, tag = default.rpartition(":")
    if name != repo or not re.match(tag_re, tag):
        image_problems.append("%s default image %s is not %s of %s" % (svc, default, line, repo))
    elif example_env.get(var) not in (None, default):
        image_problems.append("compose/.env.example sets %s=%s, the compose default is %s" % (var, example_env.get(var), default))
    else:
        image_seen.append(default)
check(not image_problems, "(a) images pinned to the current lines, each overridable: " + ", ".join(image_seen),
      "(a) images: " + "; ".join(image_problems))

prod_profiles = services.get("producer", {}).get("profiles") or []
check("tools" in prod_profiles, "(a) producer is under profile 'tools'", "(a) producer profiles: %s (want 'tools')" % prod_profiles)
check(not services.get("consumer", {}).get("container_name"), "(a) consumer has no container_name (scalable)",
      "(a) consumer sets container_name: --scale consumer=N would fail")

declared_volumes = set((compose.get("volumes") or {}).keys())


def volume_specs(name):
    """(source, target, kind) of a service's volumes; kind is bind or volume."""
    out = []
    for v in services.get(name, {}).get("volumes") or []:
        if isinstance(v, dict):
            src, tgt, kind = v.get("source", ""), v.get("target", ""), v.get("type", "volume")
        else:
            parts = v.split(":")
            if len(parts) == 1:
                src, tgt = "", parts[0]
            else:
                src, tgt = parts[0], parts[1]
            kind = "bind" if src.startswith((".", "/", "~")) else "volume"
        out.append((src, tgt, kind))
    return out


named_used = {src for s in services for (src, _t, kind) in volume_specs(s) if kind == "volume" and src}
undeclared = sorted(named_used - declared_volumes)
check(not undeclared, "(a) named volumes are declared: " + ", ".join(sorted(named_used)),
      "(a) named volumes used but not declared: " + ", ".join(undeclared))
DATA = {"kafka": "/var/lib/kafka/data", "prometheus": "/prometheus", "loki": "/loki", "grafana": "/var/lib/grafana"}
no_data = [s for s, tgt in DATA.items() if not any(k == "volume" and t == tgt for (_s, t, k) in volume_specs(s))]
check(not no_data, "(a) kafka, prometheus, loki, grafana keep their data in named volumes",
      "(a) no named data volume for: " + ", ".join(no_data))

# the configuration render-config.sh writes may hold a secret given as a variable: it must go to a tmpfs, never to
# an image layer or a volume that outlives the container
am = raw_services.get("alertmanager") or {}
am_config = next((a.split("=", 1)[1] for a in (am.get("command") or []) if str(a).startswith("--config.file=")), "")
am_tmpfs = [str(t).split(":", 1)[0] for t in ((am.get("tmpfs") or []) if isinstance(am.get("tmpfs"), list)
                                             else [am.get("tmpfs")] if am.get("tmpfs") else [])]
am_rendered = (am.get("entrypoint") or [""])[-1]
check(am_config and am_rendered == am_config and any(am_config.startswith(t.rstrip("/") + "/") for t in am_tmpfs),
      "(a) alertmanager: render-config.sh writes %s on a tmpfs (%s), read by --config.file" % (am_config, ", ".join(am_tmpfs)),
      "(a) alertmanager: the rendered configuration (entrypoint %r, --config.file %r) is not on a tmpfs %s"
      % (am_rendered, am_config, am_tmpfs))

secret_re = re.compile(r"(PASSWORD|SECRET|TOKEN|JAAS|API_KEY)", re.I)
literal_secrets = []
for s, body in raw_services.items():
    envs = body.get("environment") or {}
    items = envs.items() if isinstance(envs, dict) else [tuple((e.split("=", 1) + [""])[:2]) for e in envs]
    for k, v in items:
        if secret_re.search(str(k)) and v not in (None, "") and "${" not in str(v):
            literal_secrets.append("%s.%s" % (s, k))
check(not literal_secrets, "(a) no secret value written in the compose file (only ${VARIABLES})",
      "(a) literal secret values in the compose file: " + ", ".join(literal_secrets))

# every variable the compose file uses is documented in .env.example
example_vars = read_env_file(os.path.join(compose_dir, ".env.example"))
REFERENCED_IN_FILE = set(REFERENCED)
undocumented = sorted(v for v in REFERENCED_IN_FILE if v not in example_vars)
check(not undocumented, "(a) every variable used by the compose file is in compose/.env.example (%d)" % len(REFERENCED_IN_FILE),
      "(a) variables missing from compose/.env.example: " + ", ".join(undocumented))

# ---- (b) bind mounts and build contexts ------------------------------------------------------------
bind_problems, bind_ok = [], 0
for s in services:
    for src, tgt, kind in volume_specs(s):
        if kind != "bind":
            continue
        if src == "/var/run/docker.sock":
            continue  # the Docker engine's socket on the host (alloy), not a path of the repository
        host = os.path.normpath(os.path.join(compose_dir, os.path.expanduser(src)))
        want_file = bool(os.path.splitext(os.path.basename(tgt))[1]) and not tgt.endswith("/")
        if not os.path.exists(host):
            bind_problems.append("%s: %s (-> %s) does not exist" % (s, rel(host), tgt))
        elif want_file and not os.path.isfile(host):
            bind_problems.append("%s: %s mounted on file %s is not a file" % (s, rel(host), tgt))
        elif not want_file and not os.path.isdir(host):
            bind_problems.append("%s: %s mounted on directory %s is not a directory" % (s, rel(host), tgt))
        else:
            bind_ok += 1
    build = services[s].get("build")
    if build:
        ctx = build if isinstance(build, str) else build.get("context", ".")
        ctx_host = os.path.normpath(os.path.join(compose_dir, ctx))
        dockerfile = os.path.join(ctx_host, "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        if not os.path.isdir(ctx_host) or not os.path.isfile(dockerfile):
            bind_problems.append("%s: build context %s / %s missing" % (s, rel(ctx_host), rel(dockerfile)))
check(not bind_problems, "(b) %d bind-mounted host paths and the build contexts exist" % bind_ok,
      "(b) " + "; ".join(bind_problems))

# ---- (c) addresses ---------------------------------------------------------------------------------
def container_ports(name):
    ports = set()
    body = services.get(name, {})
    for p in body.get("expose") or []:
        ports.add(int(str(p).split("/")[0]))
    for p in body.get("ports") or []:
        if isinstance(p, dict):
            ports.add(int(p["target"]))
            continue
        spec = str(p).split("/")[0]
        cport = spec.rsplit(":", 1)[-1]
        if "-" in cport:
            lo, hi = cport.split("-")
            ports.update(range(int(lo), int(hi) + 1))
        else:
            ports.add(int(cport))
    return ports


PORTS = {s: container_ports(s) for s in services}


def resolve(hostport, where, self_service=None):
    """Checks host:port against the compose services; returns an error text or None."""
    if "://" in hostport:
        u = urlparse(hostport)
        host, port = u.hostname, u.port or {"http": 80, "https": 443}.get(u.scheme)
    else:
        host, _, port = hostport.rpartition(":")
        port = int(port) if port.isdigit() else None
    if host in ("localhost", "127.0.0.1") and self_service:
        host = self_service
    if host not in services:
        return "%s: host '%s' is not a compose service" % (where, host)
    if port not in PORTS[host]:
        return "%s: %s listens on %s in the compose file, not %s" % (where, host, sorted(PORTS[host]) or "no declared port", port)
    return None


def envmap(name):
    envs = services.get(name, {}).get("environment") or {}
    if isinstance(envs, list):
        envs = dict((e.split("=", 1) + [""])[:2] for e in envs)
    return {k: ("" if v is None else str(v)) for k, v in envs.items()}


# application and Kafka UI
app_errors, app_seen = [], []
advertised = set()
for item in envmap("kafka").get("KAFKA_ADVERTISED_LISTENERS", "").split(","):
    if "://" in item:
        advertised.add(item.split("://", 1)[1])
for s, var in (("consumer", "KAFKA_BOOTSTRAP_SERVERS"), ("producer", "KAFKA_BOOTSTRAP_SERVERS"),
               ("kafka-ui", "KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS")):
    value = envmap(s).get(var)
    if not value:
        app_errors.append("%s: %s is not set" % (s, var))
        continue
    for hp in value.split(","):
        hp = hp.strip()
        err = resolve(hp, "%s %s" % (s, var))
        if err:
            app_errors.append(err)
        elif hp not in advertised:
            app_errors.append("%s %s=%s is not among kafka's advertised listeners %s" % (s, var, hp, sorted(advertised)))
        else:
            app_seen.append("%s=%s" % (var, hp))
loki_url = envmap("consumer").get("LOKI_URL")
if not loki_url:
    app_errors.append("consumer: LOKI_URL is not set")
else:
    err = resolve(loki_url, "consumer LOKI_URL")
    if err:
        app_errors.append(err)
    elif urlparse(loki_url).hostname != "loki":
        app_errors.append("consumer LOKI_URL=%s does not point at the loki service" % loki_url)
    else:
        app_seen.append("LOKI_URL=" + loki_url)
metrics_port = envmap("consumer").get("METRICS_PORT", "8000")
if metrics_port.isdigit() and int(metrics_port) not in PORTS.get("consumer", set()):
    app_errors.append("consumer METRICS_PORT=%s is not a declared container port %s" % (metrics_port, sorted(PORTS.get("consumer", []))))
check(not app_errors, "(c) app and Kafka UI addresses match services/ports: " + ", ".join(sorted(set(app_seen))),
      "(c) " + "; ".join(app_errors))

# Prometheus
SCRAPE_INTERVAL = None


def mount_map(name):
    return [(os.path.normpath(os.path.join(compose_dir, src)), tgt.rstrip("/"))
            for (src, tgt, kind) in volume_specs(name) if kind == "bind"]


def container_to_host(name, cpath):
    for host, tgt in mount_map(name):
        if cpath == tgt or cpath.startswith(tgt + "/"):
            return host + cpath[len(tgt):]
    return None


if not os.path.isfile(prom_path):
    ko("(c) %s is missing: Prometheus scrape and Alertmanager targets unchecked" % prom_path)
else:
    try:
        prom = yaml.safe_load(open(prom_path, encoding="utf-8")) or {}
    except Exception as e:  # noqa: BLE001
        prom = None
        ko("(c) %s does not parse as YAML: %s" % (prom_path, e))
    if prom is not None:
        errors, consumer_jobs = [], []
        for job in prom.get("scrape_configs") or []:
            jname = job.get("job_name", "?")
            targets = []
            for sc in job.get("static_configs") or []:
                targets += [str(t) for t in sc.get("targets") or []]
            for dns in job.get("dns_sd_configs") or []:
                for n in dns.get("names") or []:
                    if dns.get("type", "SRV") in ("A", "AAAA"):
                        targets.append("%s:%s" % (n, dns.get("port")))
                    else:
                        errors.append("job %s: SRV dns_sd name %s cannot be checked against compose" % (jname, n))
            for t in targets:
                err = resolve(t, "scrape job %s target %s" % (jname, t), self_service="prometheus")
                if err:
                    errors.append(err)
                elif t.rpartition(":")[0] == "consumer":
                    consumer_jobs.append(jname)
                    SCRAPE_INTERVAL = str(job.get("scrape_interval") or (prom.get("global") or {}).get("scrape_interval") or "1m")
                    path = job.get("metrics_path", "/metrics")
                    if path != "/metrics":
                        errors.append("job %s scrapes consumer on %s, the app serves /metrics" % (jname, path))
        if not consumer_jobs:
            errors.append("no scrape job targets consumer:8000 (static_configs or dns_sd_configs type A)")
        check(not errors, "(c) Prometheus scrape targets resolve to compose services (consumer scraped by job %s)" % ", ".join(sorted(set(consumer_jobs))),
              "(c) Prometheus scrape config: " + "; ".join(errors))

        am_errors, am_targets = [], []
        for am in (prom.get("alerting") or {}).get("alertmanagers") or []:
            for sc in am.get("static_configs") or []:
                am_targets += [str(t) for t in sc.get("targets") or []]
            for dns in am.get("dns_sd_configs") or []:
                am_targets += ["%s:%s" % (n, dns.get("port")) for n in dns.get("names") or []]
        for t in am_targets:
            err = resolve(t, "alertmanager target %s" % t)
            if err:
                am_errors.append(err)
        if not any(t.rpartition(":")[0] == "alertmanager" for t in am_targets):
            am_errors.append("no alerting.alertmanagers target on the alertmanager service (want alertmanager:9093)")
        check(not am_errors, "(c) Prometheus alerting target(s) %s match the alertmanager service" % ", ".join(am_targets),
              "(c) " + "; ".join(am_errors))

        rf_errors, rf_found = [], 0
        rule_files = prom.get("rule_files") or []
        if not rule_files:
            rf_errors.append("no rule_files")
        for pattern in rule_files:
            host_pattern = container_to_host("prometheus", pattern) if pattern.startswith("/") else None
            if host_pattern is None:
                rf_errors.append("rule_files %s is not under a bind mount of the prometheus service" % pattern)
                continue
            matches = glob.glob(host_pattern)
            if not matches:
                rf_errors.append("rule_files %s (= %s) matches no file" % (pattern, rel(host_pattern)))
            rf_found += len(matches)
        check(not rf_errors, "(c) Prometheus rule_files map to %d rule file(s) in the repository" % rf_found,
              "(c) " + "; ".join(rf_errors))

        # a copy for promtool whose rule_files point at the repository folder
        prom_copy = dict(prom)
        prom_copy["rule_files"] = [container_to_host("prometheus", p) or p for p in rule_files]
        with open(os.path.join(tmpdir, "prometheus.yml"), "w", encoding="utf-8") as fh:
            yaml.safe_dump(prom_copy, fh, sort_keys=False)

# Grafana datasources and dashboard provider
ds_dir = container_to_host("grafana", "/etc/grafana/provisioning/datasources")
if not ds_dir or not os.path.isdir(ds_dir):
    ko("(c) Grafana datasources folder is not mounted on /etc/grafana/provisioning/datasources or missing")
else:
    files = sorted(glob.glob(os.path.join(ds_dir, "*.yml")) + glob.glob(os.path.join(ds_dir, "*.yaml")))
    ds_errors, by_type, TIME_INTERVALS = [], {}, []
    if not files:
        ds_errors.append("no *.yml in %s" % rel(ds_dir))
    for f in files:
        try:
            doc = yaml.safe_load(open(f, encoding="utf-8")) or {}
        except Exception as e:  # noqa: BLE001
            ds_errors.append("%s does not parse: %s" % (rel(f), e))
            continue
        for ds in doc.get("datasources") or []:
            url = str(ds.get("url", ""))
            by_type.setdefault(ds.get("type"), []).append(url)
            if ds.get("type") == "prometheus" and (ds.get("jsonData") or {}).get("timeInterval"):
                TIME_INTERVALS.append(str(ds["jsonData"]["timeInterval"]))
            if url:
                err = resolve(url, "datasource %s (%s)" % (ds.get("name"), rel(f)))
                if err:
                    ds_errors.append(err)
    for typ, want in (("prometheus", "http://prometheus:9090"), ("loki", "http://loki:3100")):
        urls = [u.rstrip("/") for u in by_type.get(typ, [])]
        if want not in urls:
            ds_errors.append("no %s datasource with url %s (found %s)" % (typ, want, urls or "none"))
    check(not ds_errors, "(c) Grafana datasources: prometheus %s, loki %s" % (by_type.get("prometheus"), by_type.get("loki")),
          "(c) Grafana datasources: " + "; ".join(ds_errors))
    # Grafana derives $__rate_interval from the datasource's timeInterval: it must equal the consumer's scrape interval
    if SCRAPE_INTERVAL and TIME_INTERVALS:
        check(all(ti == SCRAPE_INTERVAL for ti in TIME_INTERVALS),
              "(c) Grafana Prometheus timeInterval %s = the consumer's scrape_interval" % SCRAPE_INTERVAL,
              "(c) Grafana Prometheus datasource timeInterval %s differs from the consumer's scrape_interval %s" % (TIME_INTERVALS, SCRAPE_INTERVAL))

db_dir = container_to_host("grafana", "/etc/grafana/provisioning/dashboards")
if not db_dir or not os.path.isdir(db_dir):
    ko("(c) Grafana dashboards folder is not mounted on /etc/grafana/provisioning/dashboards or missing")
else:
    prov_errors, jsons = [], 0
    providers = []
    for f in sorted(glob.glob(os.path.join(db_dir, "*.yml")) + glob.glob(os.path.join(db_dir, "*.yaml"))):
        try:
            providers += (yaml.safe_load(open(f, encoding="utf-8")) or {}).get("providers") or []
        except Exception as e:  # noqa: BLE001
            prov_errors.append("%s does not parse: %s" % (rel(f), e))
    if not providers:
        prov_errors.append("no dashboard provider (*.yml with providers:) in %s" % rel(db_dir))
    for p in providers:
        cpath = str((p.get("options") or {}).get("path", ""))
        host = container_to_host("grafana", cpath.rstrip("/"))
        if not host or not os.path.isdir(host):
            prov_errors.append("provider %s path %s is not a mounted folder" % (p.get("name"), cpath))
            continue
        found = glob.glob(os.path.join(host, "**", "*.json"), recursive=True)
        jsons += len(found)
        if not found:
            prov_errors.append("provider %s path %s (= %s) holds no dashboard JSON" % (p.get("name"), cpath, rel(host)))
    check(not prov_errors, "(c) Grafana dashboard provider path(s) are mounted and hold %d dashboard JSON file(s)" % jsons,
          "(c) Grafana dashboards: " + "; ".join(prov_errors))

# ---- (g) Alloy, the stack's log collector (profile "logs"): no Alloy binary here, so what can be checked
# without one: the service, its mounts, and that the config's components chain up and push to the loki service.
alloy = services.get("alloy")
if not alloy:
    ko("(g) no alloy service (log collector of the stack, profile 'logs')")
else:
    problems = []
    if (alloy.get("profiles") or []) != ["logs"]:
        problems.append("alloy profiles %s (want ['logs'])" % alloy.get("profiles"))
    if depends("alloy").get("loki") != "service_healthy":
        problems.append("alloy does not wait for loki to be healthy")
    cmd = alloy.get("command") or []
    cfg_paths = [a for a in cmd if str(a).endswith(".alloy")]
    cfg_host = container_to_host("alloy", cfg_paths[0]) if cfg_paths else None
    if not cmd or cmd[0] != "run" or not cfg_host or not os.path.isfile(cfg_host):
        problems.append("alloy command %s: want `run ... <mounted config.alloy>`" % cmd)
    listen = [a.split("=", 1)[1] for a in cmd if str(a).startswith("--server.http.listen-addr=")]
    if not listen or int(listen[0].rsplit(":", 1)[1]) not in PORTS.get("alloy", set()):
        problems.append("alloy --server.http.listen-addr %s is not a declared port %s" % (listen, sorted(PORTS.get("alloy", []))))
    sockets = [t for (src, t, k) in volume_specs("alloy") if src == "/var/run/docker.sock"]
    if not sockets:
        problems.append("the Docker socket is not mounted into alloy")
    if cfg_host and os.path.isfile(cfg_host):
        text = open(cfg_host, encoding="utf-8").read()
        code = re.sub(r"(?m)^\s*//[^\n]*", "", text)  # whole-line comments (URLs hold // too)
        blocks = dict(((m.group(1), m.group(2)), True) for m in re.finditer(r'^([a-z_.]+)\s+"([\w-]+)"\s*\{', code, re.M))
        for kind in ("discovery.docker", "discovery.relabel", "loki.source.docker", "loki.write"):
            if not any(k == kind for (k, _n) in blocks):
                problems.append("config.alloy has no %s component" % kind)
        for ref in re.findall(r"\b((?:discovery|loki)\.[a-z_.]+)\.([\w]+)\.(targets|rules|receiver)\b", code):
            if (ref[0], ref[1]) not in blocks:
                problems.append("config.alloy refers to %s.%s, which is not defined" % (ref[0], ref[1]))
        for host in re.findall(r'host\s*=\s*"unix://([^"]+)"', code):
            if host not in sockets:
                problems.append("config.alloy reads the Docker socket %s, alloy mounts %s" % (host, sockets))
        relabelled = set(re.findall(r'target_label\s*=\s*"(\w+)"', code))
        for label in ("container", "service"):
            if label not in relabelled:
                problems.append("config.alloy does not set the %s label" % label)
        urls = re.findall(r'url\s*=\s*"([^"]+)"', code)
        if not urls:
            problems.append("config.alloy: loki.write has no endpoint url")
        for url in urls:
            err = resolve(url, "alloy loki.write url")
            if err:
                problems.append(err)
            elif urlparse(url).hostname != "loki" or urlparse(url).path != "/loki/api/v1/push":
                problems.append("alloy pushes to %s, not the loki service's /loki/api/v1/push" % url)
        if 'job = "ingestion-logs"' in code:
            problems.append("alloy must not write job=\"ingestion-logs\" (the runs' streams)")
        for var in re.findall(r'sys\.env\("(\w+)"\)', code):
            if var not in envmap("alloy"):
                problems.append("config.alloy reads %s, which the alloy service does not set" % var)
    check(not problems, "(g) alloy (profile logs): Docker socket %s, config %s chains discovery.docker -> relabel "
          "(container, service) -> loki.source.docker -> loki.write to the loki service" % (sockets, rel(cfg_host) if cfg_host else "?"),
          "(g) alloy: " + "; ".join(problems))

# ---- (d) Loki ----------------------------------------------------------------------------------------
loki_cmd = services.get("loki", {}).get("command") or []
if isinstance(loki_cmd, str):
    loki_cmd = loki_cmd.split()
cfg_flag = [a.split("=", 1)[1] for a in loki_cmd if a.startswith("-config.file=")]
loki_cfg_host = container_to_host("loki", cfg_flag[0]) if cfg_flag else None
if not loki_cfg_host or not os.path.isfile(loki_cfg_host):
    ko("(d) loki: -config.file=%s is not a mounted file of the repository" % (cfg_flag[0] if cfg_flag else "(none)"))
else:
    text = open(loki_cfg_host, encoding="utf-8").read()
    if "-config.expand-env=true" in loki_cmd:
        text = interpolate(text, env=envmap("loki"), record=False)
    try:
        loki = yaml.safe_load(text)
        ok("(d) %s parses as YAML" % rel(loki_cfg_host))
    except Exception as e:  # noqa: BLE001
        loki = None
        ko("(d) %s does not parse as YAML: %s" % (rel(loki_cfg_host), e))
    if isinstance(loki, dict):
        KNOWN = {"target", "auth_enabled", "ballast_bytes", "server", "ui", "distributor", "querier", "query_engine",
                 "query_scheduler", "frontend", "query_range", "ruler", "ruler_storage", "ingester_client", "ingester",
                 "block_builder", "block_scheduler", "pattern_ingester", "index_gateway", "bloom_build", "bloom_gateway",
                 "storage_config", "chunk_store_config", "schema_config", "compactor", "compactor_grpc_client",
                 "limits_config", "frontend_worker", "table_manager", "memberlist", "kafka_config", "dataobj",
                 "runtime_config", "operational_config", "tracing", "analytics", "common", "shutdown_delay",
                 "metastore", "metastore_client", "partition_ring", "ingest_limits", "ingest_limits_frontend",
                 "ingest_limits_frontend_client", "distributor_ring", "profiling"}
        problems = []
        unknown = sorted(set(loki) - KNOWN)
        if unknown:
            problems.append("unknown top-level keys (Loki refuses them): " + ", ".join(unknown))
        for key in ("server", "schema_config", "limits_config"):
            if key not in loki:
                problems.append("missing " + key)
        if "common" not in loki and "storage_config" not in loki:
            problems.append("neither common nor storage_config")
        if loki.get("auth_enabled") is not False:
            problems.append("auth_enabled should be false (single tenant, no X-Scope-OrgID)")
        port = (loki.get("server") or {}).get("http_listen_port", 3100)
        if port not in PORTS.get("loki", set()):
            problems.append("server.http_listen_port %s is not the loki container port %s" % (port, sorted(PORTS.get("loki", []))))
        configs = (loki.get("schema_config") or {}).get("configs") or []
        if not configs:
            problems.append("schema_config.configs is empty")
        else:
            last = configs[-1]
            if last.get("store") != "tsdb" or last.get("schema") != "v13":
                problems.append("latest schema is %s/%s, want tsdb/v13 (structured metadata needs it)" % (last.get("store"), last.get("schema")))
            if str(configs[0].get("from")) > "2025-09-15":
                problems.append("first schema 'from' %s is after the sample's runs (2025-09-15)" % configs[0].get("from"))
            if last.get("store") == "tsdb" and not ((loki.get("storage_config") or {}).get("tsdb_shipper") or (loki.get("common") or {}).get("path_prefix")):
                problems.append("tsdb store without storage_config.tsdb_shipper or common.path_prefix")
        limits = loki.get("limits_config") or {}
        # SPEC §10: without it, in single-binary mode, replayed runs with old event times stay invisible to queries
        # until their chunk is flushed (RealLokiIT shows it on a real Loki 3.7)
        if str((loki.get("ingester") or {}).get("query_store_max_look_back_period")) != "-1ns":
            problems.append("ingester.query_store_max_look_back_period should be -1ns (replayed runs visible at once)")
        if limits.get("reject_old_samples") is not False:
            problems.append("limits_config.reject_old_samples should be false (the sample is from 2025)")
        if limits.get("allow_structured_metadata") is not True:
            problems.append("limits_config.allow_structured_metadata should be true")
        if limits.get("unordered_writes") is False:
            problems.append("limits_config.unordered_writes is false")
        comp = loki.get("compactor") or {}
        if comp.get("retention_enabled") and not comp.get("delete_request_store"):
            problems.append("compactor.retention_enabled needs compactor.delete_request_store (Loki 3.x refuses to start)")
        if comp.get("retention_enabled") and not limits.get("retention_period"):
            problems.append("retention enabled without limits_config.retention_period")
        check(not problems, "(d) Loki 3.x config: blocks %s, tsdb v13, old samples accepted, structured metadata on"
              % ", ".join(k for k in ("server", "common", "storage_config", "schema_config", "limits_config", "compactor") if k in loki),
              "(d) Loki config: " + "; ".join(problems))
PYEOF
  run_counted "$PY" "$TMPDIR_CHECK/check_compose.py" "$ROOT" "$COMPOSE_FILE" "$ENV_FILE" "$PROM_CONFIG" "$TMPDIR_CHECK"
fi

# ------------------------------------------------------------------------------------------------
# (e) promtool / amtool
# ------------------------------------------------------------------------------------------------
if [ ! -f "$PROM_CONFIG" ]; then
  fail "(e) $PROM_CONFIG is missing: promtool check config not run"
elif ! command -v promtool >/dev/null 2>&1; then
  fail "(e) promtool is not installed and could not be installed (apt-get install prometheus)"
elif [ ! -f "$TMPDIR_CHECK/prometheus.yml" ]; then
  fail "(e) no rewritten copy of $PROM_CONFIG for promtool (see the (c) failures above)"
else
  if out=$(promtool check config "$TMPDIR_CHECK/prometheus.yml" 2>&1); then
    pass "(e) promtool $(promtool --version 2>&1 | awk 'NR==1{print $3}') check config accepts $PROM_CONFIG (rule_files read from the repo): $(printf '%s' "$out" | grep -c 'SUCCESS') SUCCESS line(s)"
  else
    fail "(e) promtool check config $PROM_CONFIG: $(printf '%s' "$out" | tr '\n' ' ')"
  fi
fi
# the Prometheus 3.5 LTS promtool (Debian sid, unpacked by scripts/fetch-sid-monitoring.sh), when at hand
if [ -n "${PROMTOOL3_BIN:-}" ] && [ -x "$PROMTOOL3_BIN" ] && [ -f "$TMPDIR_CHECK/prometheus.yml" ]; then
  if out=$("$PROMTOOL3_BIN" check config "$TMPDIR_CHECK/prometheus.yml" 2>&1); then
    pass "(e) promtool $("$PROMTOOL3_BIN" --version 2>&1 | awk 'NR==1{print $3}') (3.5 LTS) check config accepts $PROM_CONFIG"
  else
    fail "(e) promtool 3.5 check config $PROM_CONFIG: $(printf '%s' "$out" | tr '\n' ' ')"
  fi
else
  skip "(e) PROMTOOL3_BIN not set (scripts/test.sh sets it): $PROM_CONFIG not checked with Prometheus 3.5"
fi
# a real Loki (LOKI_BIN, set by scripts/test.sh when ../shared/loki is beside the clone) verifies its config
if [ -n "${LOKI_BIN:-}" ] && [ -x "$LOKI_BIN" ]; then
  if out=$("$LOKI_BIN" -verify-config -config.expand-env=true -config.file=compose/loki/loki-config.yml 2>&1); then
    pass "(d) $("$LOKI_BIN" -version 2>&1 | head -n1 | awk '{print $1, $2, $3}') -verify-config accepts compose/loki/loki-config.yml"
  else
    fail "(d) loki -verify-config compose/loki/loki-config.yml: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
  fi
else
  skip "(d) LOKI_BIN not set: compose/loki/loki-config.yml not verified by a real Loki (scripts/test.sh sets it when ../shared/loki exists)"
fi
if [ ! -f "$AM_RENDER" ] || [ ! -d "$AM_TEMPLATES" ]; then
  fail "(e) $AM_RENDER or $AM_TEMPLATES is missing (mounted into the alertmanager service)"
elif ! command -v amtool >/dev/null 2>&1; then
  skip "(e) amtool unavailable (apt-get install prometheus-alertmanager): the Alertmanager configuration not linted"
else
  amtools=(amtool)
  [ -n "${ALERTMANAGER_SID_BIN:-}" ] && [ -x "$(dirname "$ALERTMANAGER_SID_BIN")/amtool" ] \
    && amtools+=("$(dirname "$ALERTMANAGER_SID_BIN")/amtool")
  for receivers in none all files; do
    am_out="$TMPDIR_CHECK/alertmanager-$receivers.yml"
    if [ "$receivers" = files ]; then
      printf 'p"\\w-file\n' > "$TMPDIR_CHECK/smtp-password"
      printf 'https://hooks.example/secret-url\n' > "$TMPDIR_CHECK/hook-url"
      rendered=$(env -u ALERT_WEBHOOK_URL -u ALERT_SLACK_WEBHOOK_URL -u ALERT_SMTP_PASSWORD \
        ALERTMANAGER_TEMPLATES="$ROOT/$AM_TEMPLATES" ALERT_WEBHOOK_URL_FILE="$TMPDIR_CHECK/hook-url" \
        ALERT_SLACK_WEBHOOK_URL_FILE="$TMPDIR_CHECK/hook-url" ALERT_EMAIL_TO=data@example.org \
        ALERT_SMTP_SMARTHOST=smtp.example.org:587 ALERT_SMTP_USERNAME=u \
        ALERT_SMTP_PASSWORD_FILE="$TMPDIR_CHECK/smtp-password" sh "$AM_RENDER" "$am_out" 2>&1)
      rc=$?
      if [ $rc -eq 0 ]; then
        if grep -q 'secret-url\|w-file' "$am_out"; then
          fail "(e) $AM_RENDER (secrets as files) copied a secret into the configuration"
        elif [ "$(grep -cE '^ +(- )?(url|api_url|auth_password)_file: ' "$am_out")" != 3 ]; then
          fail "(e) $AM_RENDER (secrets as files) does not name the three files: $(grep -E '_file:' "$am_out" | tr '\n' ' ')"
        else
          pass "(e) $AM_RENDER with the *_FILE variables names the secret files (url_file, api_url_file, auth_password_file) and holds no secret"
        fi
      fi
      (exit $rc)
      if both=$(ALERT_SMTP_PASSWORD=x ALERT_SMTP_PASSWORD_FILE="$TMPDIR_CHECK/smtp-password" ALERT_EMAIL_TO=a \
          ALERT_SMTP_SMARTHOST=h:25 sh "$AM_RENDER" "$TMPDIR_CHECK/alertmanager-both.yml" 2>&1); then
        fail "(e) $AM_RENDER accepted ALERT_SMTP_PASSWORD and ALERT_SMTP_PASSWORD_FILE together"
      else
        pass "(e) $AM_RENDER refuses a secret given both as a variable and as a file: $both"
      fi
    elif [ "$receivers" = all ]; then
      rendered=$(ALERTMANAGER_TEMPLATES="$ROOT/$AM_TEMPLATES" ALERT_WEBHOOK_URL=http://hooks.example:8080/alertes \
        ALERT_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/x ALERT_SLACK_CHANNEL='#data' \
        ALERT_EMAIL_TO=data@example.org ALERT_SMTP_SMARTHOST=smtp.example.org:587 ALERT_SMTP_USERNAME=u \
        ALERT_SMTP_PASSWORD='p"\w' sh "$AM_RENDER" "$am_out" 2>&1)
    else
      rendered=$(env -u ALERT_WEBHOOK_URL -u ALERT_SLACK_WEBHOOK_URL -u ALERT_EMAIL_TO \
        ALERTMANAGER_TEMPLATES="$ROOT/$AM_TEMPLATES" sh "$AM_RENDER" "$am_out" 2>&1)
    fi
    if [ $? -ne 0 ]; then
      fail "(e) $AM_RENDER ($receivers receivers): $rendered"
      continue
    fi
    integrations=$(grep -cE '^    (webhook|slack|email)_configs:' "$am_out")
    want=3; [ "$receivers" = none ] && want=0
    [ "$integrations" = "$want" ] || fail "(e) $AM_RENDER ($receivers receivers) wrote $integrations integrations, want $want"
    for tool in "${amtools[@]}"; do
      version=$("$tool" --version 2>&1 | awk 'NR==1{print $3}')
      if [ "$receivers" = files ] && [ "$version" = 0.25.0 ]; then
        skip "(e) amtool $version: the webhook's url_file is not in Alertmanager 0.25 (the stack runs 0.33)"
        continue
      fi
      if out=$("$tool" check-config "$am_out" 2>&1); then
        pass "(e) amtool $version accepts the Alertmanager configuration written by $AM_RENDER ($receivers receivers)"
      else
        fail "(e) amtool $version check-config ($receivers receivers): $(printf '%s' "$out" | tr '\n' ' ')"
      fi
    done
  done
fi

# ------------------------------------------------------------------------------------------------
# Dockerfile, .dockerignore, .gitignore
# ------------------------------------------------------------------------------------------------
if [ ! -f Dockerfile ]; then
  fail "Dockerfile is missing"
else
  # COPY sources of the build context exist and are not excluded by a whitelist .dockerignore
  missing=""
  while read -r src; do
    [ -e "$src" ] || missing="$missing $src"
    if [ -f .dockerignore ] && grep -qx '\*' .dockerignore && ! grep -qx "!${src%/}/\{0,1\}" .dockerignore; then
      missing="$missing $src(excluded-by-.dockerignore)"
    fi
  done < <(awk 'toupper($1)=="COPY" && $0 !~ /--from=/ { for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i }' Dockerfile)
  if [ -z "$missing" ]; then
    pass "Dockerfile: every COPY source of the build context exists and is sent to the builder"
  else
    fail "Dockerfile: COPY sources missing or excluded:$missing"
  fi

  # runtime stage: non-root USER, EXPOSE 8000, HEALTHCHECK, pom.xml copied before src/ (dependency layer cache)
  last_user=$(awk 'toupper($1)=="USER"{u=$2} END{print u}' Dockerfile)
  problems=""
  case "${last_user%%:*}" in ""|root|0) problems="$problems runtime USER is '${last_user:-unset}' (must be non-root);" ;; esac
  grep -qiE '^EXPOSE[[:space:]]+8000' Dockerfile || problems="$problems no EXPOSE 8000;"
  grep -qiE '^HEALTHCHECK[[:space:]]' Dockerfile || problems="$problems no HEALTHCHECK;"
  pom_line=$(grep -n -m1 -E '^COPY[[:space:]]+pom.xml' Dockerfile | cut -d: -f1)
  src_line=$(grep -n -m1 -E '^COPY[[:space:]]+src' Dockerfile | cut -d: -f1)
  if [ -z "$pom_line" ] || [ -z "$src_line" ] || [ "$pom_line" -gt "$src_line" ]; then
    problems="$problems pom.xml is not copied before src/;"
  fi
  if [ -z "$problems" ]; then
    pass "Dockerfile: non-root USER ($last_user), EXPOSE 8000, HEALTHCHECK, pom.xml layer before src/"
  else
    fail "Dockerfile:$problems"
  fi

  # The ENTRYPOINT ignores trailing arguments (SPEC §6): run it with a stand-in `java` that prints its argv.
  entry=$(grep -E '^ENTRYPOINT[[:space:]]+\[' Dockerfile | tail -1 | sed -E 's/^ENTRYPOINT[[:space:]]+//')
  if [ -z "$entry" ] || [ -z "$PY" ]; then
    fail "Dockerfile: no exec-form ENTRYPOINT to test (or no python3)"
  else
    mkdir -p "$TMPDIR_CHECK/bin"
    printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done\n' > "$TMPDIR_CHECK/bin/java"
    chmod +x "$TMPDIR_CHECK/bin/java"
    mapfile -t argv < <("$PY" -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$entry")
    got=$(PATH="$TMPDIR_CHECK/bin:$PATH" JAVA_OPTS="-Xmx64m -Dx=y" "${argv[@]}" python producer.py 2>&1 | tr '\n' ' ')
    if [ "$got" = "-Xmx64m -Dx=y -jar /app/ingestion-observability.jar " ]; then
      pass "Dockerfile: ENTRYPOINT runs 'java \$JAVA_OPTS -jar /app/ingestion-observability.jar' and ignores trailing args (python producer.py)"
    else
      fail "Dockerfile: ENTRYPOINT with trailing args 'python producer.py' ran java with: $got"
    fi
  fi
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if git check-ignore -q compose/.env && git check-ignore -q target/x && git check-ignore -q node_modules/x; then
    pass ".gitignore: compose/.env, target/ and node_modules/ are ignored"
  else
    fail ".gitignore must ignore compose/.env, target/ and node_modules/"
  fi
  if [ -f compose/.env ] && git ls-files --error-unmatch compose/.env >/dev/null 2>&1; then
    fail "compose/.env is tracked by git: it holds secrets"
  fi
fi

# ------------------------------------------------------------------------------------------------
# (f) make help
# ------------------------------------------------------------------------------------------------
TARGETS="help up down health ingest metrics open-grafana open-kafka-ui test test-stack clean"
if ! command -v make >/dev/null 2>&1; then
  fail "(f) make is not installed"
elif [ ! -f Makefile ]; then
  fail "(f) Makefile is missing"
else
  help_out=$(make -s --no-print-directory help 2>&1)
  default_out=$(make -s --no-print-directory 2>&1)
  absent=""
  for t in $TARGETS; do
    # a here-string, not printf | grep -q: with pipefail, grep -q leaving early can fail printf with SIGPIPE
    grep -qE "^[[:space:]]*$t[[:space:]]+[^[:space:]]" <<< "$help_out" || absent="$absent $t"
  done
  # every ## -documented rule is listed, and no target lacks its description
  for t in $(grep -oE '^[a-zA-Z0-9_-]+:' Makefile | tr -d ':' | sort -u); do
    case " $TARGETS " in *" $t "*) ;; *) grep -qE "^$t:.*## " Makefile && { grep -qE "^[[:space:]]*$t[[:space:]]" <<< "$help_out" || absent="$absent $t"; } ;; esac
  done
  if [ -n "$absent" ]; then
    fail "(f) make help does not list:$absent"
  elif [ "$help_out" != "$default_out" ]; then
    fail "(f) the default target is not help"
  else
    pass "(f) make help (the default target) lists every target: $TARGETS"
  fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
