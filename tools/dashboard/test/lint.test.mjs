// Structural lint of the generated dashboard against SPEC §8 (via test/fixtures/spec-contract.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDashboard, allQueries } from '../lib/queries.mjs';
import { contract, panelsWithRows } from '../lib/contract.mjs';
import { windowsOf } from '../lib/analyze.mjs';

const dash = loadDashboard();
const panels = panelsWithRows(dash);
const INSTANT_KINDS = ['stat', 'bargauge', 'gauge', 'table'];
const NO_UNIT_KINDS = ['table', 'logs', 'alertlist', 'text'];
const isDsVar = (uid) => /^\$\{?\w+\}?$/.test(uid);

test('dashboard title, uid and schema', () => {
  assert.equal(dash.title, contract.title);
  assert.ok(dash.uid && dash.uid.length <= 40);
  assert.equal(dash.id, null, 'provisioned dashboards must not carry a database id');
  assert.ok(dash.schemaVersion >= 36);
});

test('exactly the five SPEC rows, in order', () => {
  assert.deepEqual(
    dash.panels.filter((p) => p.type === 'row').map((p) => p.title),
    contract.rows,
  );
  assert.equal(dash.panels[0].type, 'row', 'the dashboard starts with a row');
  for (const row of contract.rows) {
    assert.ok(panels.some((p) => p.row === row), `row ${row} has no panel`);
  }
});

test('every panel has a title, a unique id and a datasource that is a variable or a uid object', () => {
  const ids = new Set();
  for (const p of dash.panels) {
    assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
    ids.add(p.id);
    assert.ok(typeof p.title === 'string' && p.title.trim(), `panel ${p.id} has no title`);
    if (p.type === 'row') continue;
    const ds = p.datasource;
    assert.ok(ds && typeof ds === 'object' && typeof ds.uid === 'string', `${p.title}: datasource must be a {type, uid} object`);
    assert.ok(isDsVar(ds.uid), `${p.title}: datasource uid ${ds.uid} must be a datasource variable`);
    for (const t of p.targets ?? []) {
      assert.ok(t.datasource && isDsVar(t.datasource.uid), `${p.title}/${t.refId}: target datasource`);
      assert.equal(t.datasource.type, ds.type, `${p.title}/${t.refId}: target and panel datasource types differ`);
    }
  }
});

test('datasource variables: ${datasource} (prometheus) and ${loki} (loki, default uid loki)', () => {
  const vars = Object.fromEntries(dash.templating.list.map((v) => [v.name, v]));
  assert.equal(vars.datasource?.type, 'datasource');
  assert.equal(vars.datasource.query, 'prometheus');
  assert.equal(vars.datasource.current.value, 'prometheus');
  assert.equal(vars.loki?.type, 'datasource');
  assert.equal(vars.loki.query, 'loki');
  assert.equal(vars.loki.current.value, 'loki');
  const used = new Set(panels.map((p) => p.datasource?.uid).filter(Boolean));
  for (const uid of used) {
    const name = uid.replace(/^\$\{?|\}$/g, '');
    assert.equal(vars[name]?.type, 'datasource', `${uid} is not a datasource variable`);
  }
});

test('template variables source/objet/entreprise/zone: multi, All = .*, from ingestion_runs_total', () => {
  const vars = Object.fromEntries(dash.templating.list.map((v) => [v.name, v]));
  for (const name of contract.variables) {
    const v = vars[name];
    assert.ok(v, `variable ${name} missing`);
    assert.equal(v.type, 'query');
    assert.equal(v.includeAll, true, `${name}: includeAll`);
    assert.equal(v.multi, true, `${name}: multi`);
    assert.equal(v.allValue, '.*', `${name}: allValue`);
    assert.equal(v.datasource.uid, '${datasource}');
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    assert.match(q, new RegExp(`^label_values\\(ingestion_runs_total(\\{[^}]*\\})?, ${name}\\)$`));
    assert.equal(v.definition, q);
  }
});

test('every non-table/non-logs panel has a unit', () => {
  for (const p of panels) {
    if (NO_UNIT_KINDS.includes(p.type)) continue;
    assert.ok(p.fieldConfig?.defaults?.unit, `${p.title}: fieldConfig.defaults.unit missing`);
  }
});

test('every panel has a description (what it answers, why this query)', () => {
  for (const p of panels) assert.ok(p.description && p.description.length > 30, `${p.title}: description`);
});

test('Prometheus panels that show or count objets say that __other__ groups the objets past METRICS_MAX_PAIRS', () => {
  // SPEC §4: past the budget a new pair's runs are counted under objet="__other__" of their source
  const showsObjets = (expr) =>
    /by \([^)]*\bobjet\b/.test(expr) || /ingestion_recovery_seconds|ingestion_last_run_success/.test(expr);
  const concerned = new Set(
    allQueries(dash).filter((q) => q.lang === 'promql' && showsObjets(q.expr)).map((q) => q.panelId),
  );
  assert.ok(concerned.size >= 4, `panels by objet: ${[...concerned]}`);
  for (const p of panels.filter((x) => concerned.has(x.id))) {
    assert.match(p.description, /« __other__ » n'est pas un objet/, `${p.title}: no note on __other__`);
    assert.match(p.description, /METRICS_MAX_PAIRS/, `${p.title}: no mention of METRICS_MAX_PAIRS`);
  }
});

test('windows: instant panels use $__range, time series $__rate_interval (or the fixed window in their title)', () => {
  for (const q of allQueries(dash)) {
    const p = panels.find((x) => x.id === q.panelId);
    const { ranges, offsets } = windowsOf(q.expr);
    const all = [...ranges, ...offsets];
    if (q.lang === 'promql') {
      for (const fn of q.expr.matchAll(/\b(rate|increase|irate|delta)\(\s*[^[]*\[([^\]]+)\]/g)) {
        assert.ok(['$__rate_interval', '$__range'].includes(fn[2]), `${q.panel}/${q.refId}: ${fn[1]}() range ${fn[2]}`);
      }
    }
    if (q.panelType === 'annotation') {
      assert.equal(all.length, 0);
      continue;
    }
    for (const w of all) {
      if (q.instant || INSTANT_KINDS.includes(p.type)) {
        assert.equal(w, '$__range', `${q.panel}/${q.refId}: instant panel window ${w}`);
      } else if (q.lang === 'logql') {
        assert.ok(['$__interval', '$__auto'].includes(w), `${q.panel}/${q.refId}: LogQL range-query window ${w}`);
      } else {
        const fixed = /^(\d+)m$/.exec(w);
        const ok = w === '$__rate_interval' || (fixed && q.panel.includes(`${fixed[1]} min`));
        assert.ok(ok, `${q.panel}/${q.refId}: time-series window ${w} (use $__rate_interval)`);
      }
    }
  }
});

test('queries: instant for stat/bargauge/table, range for time series', () => {
  for (const q of allQueries(dash)) {
    const p = panels.find((x) => x.id === q.panelId);
    if (!p) continue;
    if (['stat', 'bargauge'].includes(p.type)) assert.equal(q.instant, true, `${q.panel}`);
    if (p.type === 'timeseries') assert.equal(q.instant, false, `${q.panel}`);
  }
});

function thresholdValues(p) {
  return (p.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s.value);
}

test('thresholds match the alerts of SPEC §7', () => {
  const T = contract.thresholds;
  const expectFor = (pred, value, what) => {
    const matching = panels.filter(pred);
    assert.ok(matching.length > 0, `no panel for ${what}`);
    for (const p of matching) assert.ok(thresholdValues(p).includes(value), `${p.title}: ${what} threshold ${value} missing`);
  };
  const exprs = (p) => (p.targets ?? []).map((t) => t.expr).join('\n');
  expectFor((p) => /ingestion_failures_total/.test(exprs(p)) && p.fieldConfig.defaults.unit === 'percent', T.failureRatePercent, 'failure rate 2 %');
  expectFor((p) => /memory_used_bytes|ingestion_memory_usage_bytes/.test(exprs(p)) && p.fieldConfig?.defaults.unit === 'bytes' && p.type !== 'table', T.memoryBytes, 'memory 150 MiB');
  expectFor((p) => /ingestion_cpu_usage_seconds/.test(exprs(p)), T.cpuSeconds, 'CPU 60 s');
  expectFor((p) => /ingestion_duration_seconds/.test(exprs(p)), T.durationSeconds, 'duration 60 s');
  expectFor((p) => /ingestion_last_run_timestamp/.test(exprs(p)) && p.fieldConfig.defaults.unit === 's', T.silenceSeconds, 'silence 75 min');
  // the freshness/active-source queries compare against the same 75 min
  for (const p of panels.filter((p) => /ingestion_last_run_timestamp/.test(exprs(p)) && p.fieldConfig.defaults.unit !== 's')) {
    assert.match(exprs(p), new RegExp(`\\b${T.silenceSeconds}\\b`), `${p.title}: 75 min = ${T.silenceSeconds} s`);
  }
});

test('an alert-list panel lists the Ingestion* alerts', () => {
  const lists = panels.filter((p) => p.type === 'alertlist');
  assert.equal(lists.length, 1);
  assert.equal(lists[0].row, 'Fiabilité — Errors & SLAs');
  assert.equal(lists[0].options.alertName, 'Ingestion');
  assert.equal(lists[0].options.stateFilter.firing, true);
});

test('SPEC §8 panels are all there', () => {
  const byRow = (row) => panels.filter((p) => p.row === row);
  const titles = (row) => byRow(row).map((p) => p.title);
  const [r1, r2, r3, r4, r5] = contract.rows;
  for (const t of ['Succès', 'Échecs', "Taux d'échec (%)", 'p95 durée (s)', 'Max mémoire (MB)', 'Sources actives']) {
    assert.ok(titles(r1).includes(t), `row 1: ${t}`);
    assert.equal(byRow(r1).find((p) => p.title === t).type, 'stat', `${t} is a stat panel`);
  }
  const timeline = byRow(r1).find((p) => p.type === 'timeseries');
  assert.equal(timeline.datasource.type, 'loki', 'timeline of runs from Loki (runs own times)');
  assert.equal(timeline.fieldConfig.defaults.custom.drawStyle, 'bars');
  assert.equal(timeline.fieldConfig.defaults.custom.stacking.mode, 'normal');
  assert.match(timeline.targets[0].expr, /^sum by \(etat\) \(count_over_time\(\{job="ingestion-logs"/);
  assert.ok(byRow(r1).some((p) => /p95/.test(p.title) && p.type === 'bargauge'), 'top sources by p95');
  const mem = byRow(r1).find((p) => p.title === 'Max mémoire (MB)');
  assert.equal(mem.datasource.type, 'loki');
  assert.match(mem.targets[0].expr, /^max\(max_over_time\(.*\| unwrap performance_memory_used_bytes/);

  assert.ok(titles(r2).some((t) => /Taux d'échec global/.test(t)));
  assert.ok(titles(r2).some((t) => /Taux d'échec par source/.test(t)));
  assert.ok(byRow(r2).some((p) => /MTTR/.test(p.title) && p.targets.some((t) => /ingestion_recovery_seconds/.test(t.expr))));
  assert.ok(byRow(r2).some((p) => /Fraîcheur/.test(p.title) && /time\(\) - max by \(source\)/.test(p.targets[0].expr)));

  const perf = byRow(r3).flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const q of ['0.5', '0.95', '0.99']) assert.match(perf, new RegExp(`histogram_quantile\\(${q}, sum by \\(source, (objet, )?le\\)`));
  assert.match(perf, /sum by \(source, objet, le\)/, 'duration per source and objet');
  assert.ok(titles(r3).includes('Exécutions par 5 min par source'));
  assert.match(perf, /ingestion_cpu_usage_seconds_bucket/);
  assert.match(perf, /ingestion_memory_usage_bytes_bucket/);

  const grid = byRow(r4);
  assert.equal(grid.length, 1);
  assert.equal(grid[0].type, 'table');
  assert.equal(grid[0].datasource.type, 'loki');
  assert.equal(grid[0].fieldConfig.defaults.custom.filterable, true, 'the grid is filterable');
  const last = byRow(r5);
  assert.equal(last.length, 1);
  assert.equal(last[0].targets[0].maxLines, 5, '5 latest');
});

test('layout: panels fit the 24-column grid without overlapping', () => {
  const cells = new Set();
  for (const p of dash.panels) {
    const { x, y, w, h } = p.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24, `${p.title}: gridPos x/w`);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        const k = `${i},${j}`;
        assert.ok(!cells.has(k), `${p.title} overlaps another panel at ${k}`);
        cells.add(k);
      }
    }
  }
});
