// Evaluates the dashboard's PromQL (variables at "All", $__range = 1h, $__rate_interval = 1m) with the real
// Prometheus engine (`promtool test rules`) on synthetic series shaped like the app's metrics after the sample
// logs.json (72 runs, 1 FAILED) is ingested: every series appears at its final value, as a first run does.
// Skipped when promtool is not installed (Debian: `apt-get install prometheus`; or set PROMTOOL=/path/to/promtool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allQueries, expand } from '../lib/queries.mjs';
import { fixture } from '../lib/contract.mjs';

const PROMTOOL = process.env.PROMTOOL || 'promtool';
const available = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).status === 0;
const runs = fixture('sample-runs.json');
const queries = allQueries().filter((q) => q.lang === 'promql');
const Q = (panel, refId = 'A') => {
  const q = queries.find((x) => x.panel === panel && x.refId === refId);
  assert.ok(q, `no query ${panel}/${refId}`);
  return expand(q.expr, 'all');
};

const SCRAPE = 15; // s
const BUCKETS = {
  ingestion_duration_seconds: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
  ingestion_cpu_usage_seconds: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  ingestion_memory_usage_bytes: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096].map((m) => m * 1048576),
};
const FIELD = {
  ingestion_duration_seconds: 'duree_secondes',
  ingestion_cpu_usage_seconds: 'cpu_time_sec',
  ingestion_memory_usage_bytes: 'memory_used_bytes',
};
const lbl = (o) => '{' + Object.entries(o).map(([k, v]) => `${k}="${v}"`).join(',') + '}';
const fmtLe = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/**
 * Series values: absent before the first ingestion, then each ingestion adds the run.
 * ingestAt: sample indexes (15 s each) of the ingestions; total: number of samples.
 */
function seriesFor(ingestAt, total) {
  const out = [];
  const steps = (perIngestion) => {
    // value after k ingestions = perIngestion * k; absent before the first
    const vals = [];
    let k = 0;
    for (let i = 0; i < total; i++) {
      while (k < ingestAt.length && ingestAt[k] <= i) k++;
      vals.push(k === 0 ? '_' : String(+(perIngestion * k).toPrecision(15)));
    }
    return vals.join(' ');
  };
  const constant = (v) => {
    const vals = [];
    for (let i = 0; i < total; i++) vals.push(i < ingestAt[0] ? '_' : String(v));
    return vals.join(' ');
  };
  for (const r of runs) {
    const pair = { source: r.source, objet: r.objet, entreprise: r.entreprise, zone: r.zone };
    out.push({ series: 'ingestion_runs_total' + lbl({ ...pair, etat: r.etat }), values: steps(1) });
    out.push({ series: 'ingestion_failures_total' + lbl(pair), values: steps(r.etat === 'FAILED' ? 1 : 0) });
    out.push({ series: 'ingestion_last_run_success' + lbl(pair), values: constant(r.etat === 'FAILED' ? 0 : 1) });
    out.push({ series: 'ingestion_pair_last_run_timestamp' + lbl(pair), values: constant(ingestAt[0] * SCRAPE + r.fin_offset_sec) });
    for (const [h, les] of Object.entries(BUCKETS)) {
      const v = r[FIELD[h]];
      for (const le of les) out.push({ series: `${h}_bucket` + lbl({ ...pair, le: fmtLe(le) }), values: steps(v <= le ? 1 : 0) });
      out.push({ series: `${h}_bucket` + lbl({ ...pair, le: '+Inf' }), values: steps(1) });
      out.push({ series: `${h}_sum` + lbl(pair), values: steps(v) });
      out.push({ series: `${h}_count` + lbl(pair), values: steps(1) });
    }
  }
  // newest run per source; with REBASE_TIMESTAMPS the file's newest run ends at the (first) ingestion time
  const t0 = ingestAt[0] * SCRAPE;
  const newest = {};
  for (const r of runs) newest[r.source] = Math.max(newest[r.source] ?? -Infinity, r.fin_offset_sec);
  for (const [source, off] of Object.entries(newest)) {
    out.push({ series: 'ingestion_last_run_timestamp' + lbl({ source, entreprise: 'akonovia', zone: '1-Raw' }), values: constant(t0 + off) });
  }
  return out;
}

function promtool(inputSeries, total, checks) {
  const dir = mkdtempSync(join(tmpdir(), 'dash-promql-'));
  try {
    const file = join(dir, 'test.yml');
    const doc = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: `${SCRAPE}s`,
          input_series: inputSeries,
          promql_expr_test: checks.map(({ expr, at, samples }) => ({
            expr,
            eval_time: at,
            exp_samples: samples.map(([labels, value]) => ({ labels, value })),
          })),
        },
      ],
    };
    writeFileSync(file, JSON.stringify(doc)); // JSON is YAML
    const r = spawnSync(PROMTOOL, ['test', 'rules', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `promtool test rules failed:\n${(r.stdout + r.stderr).slice(0, 6000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  void total;
}

const perSource = {};
for (const r of runs) perSource[r.source] = (perSource[r.source] ?? 0) + 1;
const failedSource = runs.find((r) => r.etat === 'FAILED').source;

test('sample after ONE ingestion: Succès 71, Échecs 1, Taux d\'échec 1.39 %, 5 sources actives', { skip: !available && 'promtool not installed' }, () => {
  assert.equal(runs.length, 72);
  const total = 4 * 60 * 3; // 3 h of 15 s samples
  const ingestAt = [40]; // ingestion at 10 min
  const rate = 100 / 72;
  promtool(seriesFor(ingestAt, total), total, [
    // instant panels, range 1 h ending right after the ingestion
    { expr: Q('Succès'), at: '11m', samples: [['{}', 71]] },
    { expr: Q('Échecs'), at: '11m', samples: [['{}', 1]] },
    { expr: Q("Taux d'échec (%)"), at: '11m', samples: [['{}', rate]] },
    { expr: `count((${Q('p95 durée (s)')}) > 1 < 5)`, at: '11m', samples: [['{}', 1]] },
    { expr: Q('Sources actives'), at: '11m', samples: [['{}', 5]] },
    { expr: Q('Sources muettes (> 75 min)'), at: '11m', samples: [['{}', 0]] },
    { expr: `count(${Q('Top sources par p95 durée (s)')})`, at: '11m', samples: [['{}', 5]] },
    { expr: `count((${Q('Fraîcheur par source — SLO 75 min')}) < 4500)`, at: '11m', samples: [['{}', 5]] },
    { expr: `count(${Q('Durée p50 / p95 / p99 par source et objet (s)', 'B')})`, at: '11m', samples: [['{}', 72]] },
    { expr: `count((${Q('CPU p95 par source (s)')}) > 0.1 < 0.6)`, at: '11m', samples: [['{}', 5]] },
    { expr: `count((${Q('Mémoire p95 par source')}) > 4194304 < 33554432)`, at: '11m', samples: [['{}', 5]] },
    // time series right after the ingestion: the first runs count (no increase() blind spot)
    { expr: Q("Taux d'échec global (%)"), at: '10m30s', samples: [['{}', rate]] },
    {
      expr: Q("Taux d'échec par source (%)"),
      at: '10m30s',
      samples: Object.keys(perSource).map((s) => [`{source="${s}"}`, s === failedSource ? 100 / perSource[s] : 0]),
    },
    {
      expr: Q('Exécutions par 5 min par source'),
      at: '12m',
      samples: Object.entries(perSource).map(([s, n]) => [`{source="${s}"}`, n]),
    },
    { expr: `count(${Q('Durée p50 / p95 / p99 par source (s)', 'C')})`, at: '10m30s', samples: [['{}', 5]] },
    // the same runs are no longer "in the last window" a few minutes later: empty, not a false 0 %
    { expr: Q("Taux d'échec global (%)"), at: '13m', samples: [] },
    { expr: `sum(${Q('Exécutions par 5 min par source')})`, at: '20m', samples: [['{}', 0]] },
    // two hours later, a 1 h range holds no run: no rate, but the last statuses still show 71 / 1
    { expr: Q("Taux d'échec (%)"), at: '2h10m', samples: [] },
    { expr: Q('Succès'), at: '2h10m', samples: [['{}', 71]] },
    { expr: Q('Échecs'), at: '2h10m', samples: [['{}', 1]] },
    { expr: Q('Sources muettes (> 75 min)'), at: '2h10m', samples: [['{}', 5]] },
    { expr: Q('Sources actives'), at: '2h10m', samples: [['{}', 0]] },
  ]);
});

test('sample ingested THREE times: 216 runs, Taux d\'échec still 1.39 %, Succès 71 / Échecs 1', { skip: !available && 'promtool not installed' }, () => {
  const total = 4 * 60 * 2;
  const ingestAt = [40, 80, 120]; // 10, 20, 30 min
  promtool(seriesFor(ingestAt, total), total, [
    { expr: Q("Taux d'échec (%)"), at: '31m', samples: [['{}', (100 * 3) / 216]] },
    { expr: Q('Succès'), at: '31m', samples: [['{}', 71]] },
    { expr: Q('Échecs'), at: '31m', samples: [['{}', 1]] },
    // each re-ingestion is seen by the sliding windows as an increase
    { expr: Q("Taux d'échec global (%)"), at: '20m30s', samples: [['{}', 100 / 72]] },
    { expr: `sum(${Q('Exécutions par 5 min par source')})`, at: '22m', samples: [['{}', 72]] },
  ]);
});

test('a pair that failed on a replica then stopped, and succeeded on the replica that took its partition over, is a Succès', { skip: !available && 'promtool not installed' }, () => {
  // replica X: the pair failed (end 10 min), then X stopped at 15 min (its series end). Replica Y: read the failure
  // back when the partition came (same state, same end time), then counted a success ending at 20 min.
  // A second pair, read back by Y without a new run, has the same newest run on both: it must count once.
  const pair = { source: 'sharepoint_graph', objet: 'EventFactureApplication', entreprise: 'akonovia', zone: '1-Raw' };
  const other = { ...pair, objet: 'drives' };
  const x = { job: 'ingestion-consumer', instance: 'x:8000' };
  const y = { job: 'ingestion-consumer', instance: 'y:8000' };
  const total = 4 * 40;
  const vals = (from, to, v) => Array.from({ length: total }, (_, i) => (i < from || i >= to ? '_' : String(typeof v === 'function' ? v(i) : v))).join(' ');
  const series = [
    { series: 'ingestion_last_run_success' + lbl({ ...pair, ...x }), values: vals(40, 60, 0) },
    { series: 'ingestion_pair_last_run_timestamp' + lbl({ ...pair, ...x }), values: vals(40, 60, 600) },
    { series: 'ingestion_last_run_success' + lbl({ ...other, ...x }), values: vals(40, 60, 1) },
    { series: 'ingestion_pair_last_run_timestamp' + lbl({ ...other, ...x }), values: vals(40, 60, 300) },
    { series: 'ingestion_last_run_success' + lbl({ ...pair, ...y }), values: vals(62, total, (i) => (i < 80 ? 0 : 1)) },
    { series: 'ingestion_pair_last_run_timestamp' + lbl({ ...pair, ...y }), values: vals(62, total, (i) => (i < 80 ? 600 : 1200)) },
    { series: 'ingestion_last_run_success' + lbl({ ...other, ...y }), values: vals(62, total, 1) },
    { series: 'ingestion_pair_last_run_timestamp' + lbl({ ...other, ...y }), values: vals(62, total, 300) },
  ];
  promtool(series, total, [
    // before the success: the failure stands, seen by both replicas, counted once
    { expr: Q('Échecs'), at: '19m', samples: [['{}', 1]] },
    { expr: Q('Succès'), at: '19m', samples: [['{}', 1]] },
    // after it: a success, though X's series (stale, failed) is still in the range
    { expr: Q('Échecs'), at: '21m', samples: [['{}', 0]] },
    { expr: Q('Succès'), at: '21m', samples: [['{}', 2]] },
    { expr: Q('Succès'), at: '39m', samples: [['{}', 2]] },
  ]);
});
