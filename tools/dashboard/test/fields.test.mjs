// The Loki panels read fields that really exist in the event JSON of SPEC §3 (fixtures built from the sample's
// failed and successful runs), and the tables show the columns SPEC §8 asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allQueries, loadDashboard } from '../lib/queries.mjs';
import { flattenJsonLabels, logqlInfo, resolveJsonPath } from '../lib/analyze.mjs';
import { contract, fixture, panelsWithRows } from '../lib/contract.mjs';

const dash = loadDashboard();
const panels = panelsWithRows(dash);
const events = { failed: fixture('event-failed.json'), success: fixture('event-success.json') };
const STREAM = contract.lokiStreamLabels;
const [, , , GRID_ROW, ERRORS_ROW] = contract.rows;
const logql = allQueries(dash).filter((q) => q.lang === 'logql');

test('fixtures are SPEC §3 events', () => {
  for (const [kind, e] of Object.entries(events)) {
    for (const k of ['@timestamp', '@version', 'event', 'source', 'objet', 'etat', 'debut', 'fin', 'description', 'performance', 'labels', 'metrics']) {
      assert.ok(k in e, `${kind}: ${k}`);
    }
    assert.equal(e['@timestamp'], e.fin);
    assert.equal(e.performance.memory_used_mb, Math.round((e.performance.memory_used_bytes / 1048576) * 100) / 100);
    assert.equal(e.etat, kind === 'failed' ? 'FAILED' : 'SUCCESS');
    assert.equal(e.event.outcome, kind === 'failed' ? 'failure' : 'success');
  }
});

/** Labels available after the pipeline of a query, for a given event: stream labels + what `| json` extracts. */
function labelsAfterJson(info, event) {
  const stream = Object.fromEntries(STREAM.map((l) => [l, l === 'job' ? 'ingestion-logs' : l === 'source' ? event.labels.source : event.labels[l] ?? 'x']));
  const parsed = info.bareJson
    ? flattenJsonLabels(event, STREAM)
    : Object.fromEntries(info.extractions.map((x) => [x.name, resolveJsonPath(event, x.path)]));
  return { ...stream, ...parsed };
}

test('every `| json` extraction path exists in the event and is named as a bare `| json` would name it', () => {
  for (const q of logql) {
    const info = logqlInfo(q.expr);
    for (const x of info.extractions) {
      for (const [kind, e] of Object.entries(events)) {
        const v = resolveJsonPath(e, x.path);
        assert.ok(v !== undefined && v !== null && typeof v !== 'object', `${q.panel}: json path ${x.path} not a scalar in ${kind} event`);
      }
      assert.equal(x.name, x.path.replace(/\./g, '_'), `${q.panel}: ${x.name}="${x.path}"`);
      assert.ok(!STREAM.includes(x.name), `${q.panel}: ${x.name} would clash with a stream label`);
    }
  }
});

test('every label a LogQL pipeline reads (filters, unwrap, by, line_format) exists for the event', () => {
  for (const q of logql) {
    const info = logqlInfo(q.expr);
    for (const [kind, e] of Object.entries(events)) {
      const labels = labelsAfterJson(info, e);
      for (const r of info.referenced) assert.ok(r.label in labels, `${q.panel}: ${r.via} reads ${r.label}, absent (${kind} event)`);
    }
  }
});

test('unwrapped fields are numbers in the event', () => {
  for (const q of logql) {
    const info = logqlInfo(q.expr);
    for (const r of info.referenced.filter((x) => x.via === 'unwrap')) {
      for (const e of Object.values(events)) assert.equal(typeof labelsAfterJson(info, e)[r.label], 'number', `${q.panel}: ${r.label}`);
    }
  }
});

function tableColumns(p) {
  const org = p.transformations.find((t) => t.id === 'organize').options;
  return { rename: org.renameByName, exclude: org.excludeByName };
}

function checkTable(p, required) {
  assert.equal(p.transformations[0].id, 'extractFields');
  assert.equal(p.transformations[0].options.source, 'labels');
  const info = logqlInfo(p.targets[0].expr);
  const { rename } = tableColumns(p);
  for (const col of required) assert.ok(Object.values(rename).includes(col), `${p.title}: column ${col} missing`);
  for (const [kind, e] of Object.entries(events)) {
    const labels = labelsAfterJson(info, e);
    for (const label of Object.keys(rename)) {
      assert.ok(label in labels, `${p.title}: column ${rename[label]} reads label ${label}, absent (${kind} event)`);
    }
  }
  const conv = p.transformations.find((t) => t.id === 'convertFieldType').options.conversions;
  for (const c of conv) assert.ok(c.targetField in rename, `${p.title}: converts unknown field ${c.targetField}`);
  return { info, rename, conv };
}

test('row 4 grid: Debut, Fin, Duree secondes, cpu_time, memory_used, Description from the event', () => {
  const grid = panels.filter((p) => p.row === GRID_ROW);
  assert.equal(grid.length, 1);
  const { rename, conv } = checkTable(grid[0], contract.gridColumns);
  // the values behind each SPEC column are the matching event fields
  const byColumn = Object.fromEntries(Object.entries(rename).map(([k, v]) => [v, k]));
  const info = logqlInfo(grid[0].targets[0].expr);
  const path = (col) => info.extractions.find((x) => x.name === byColumn[col])?.path;
  assert.equal(path('Debut'), 'debut');
  assert.equal(path('Fin'), 'fin');
  assert.equal(path('Duree secondes'), 'performance.duree_secondes');
  assert.equal(path('cpu_time'), 'performance.cpu_time_sec');
  assert.equal(path('memory_used'), 'performance.memory_used_bytes');
  assert.equal(path('Description'), 'description');
  const types = Object.fromEntries(conv.map((c) => [rename[c.targetField], c.destinationType]));
  assert.deepEqual(
    { Debut: types.Debut, Fin: types.Fin, d: types['Duree secondes'], c: types.cpu_time, m: types.memory_used },
    { Debut: 'time', Fin: 'time', d: 'number', c: 'number', m: 'number' },
  );
  const units = Object.fromEntries(grid[0].fieldConfig.overrides.filter((o) => o.properties[0].id === 'unit').map((o) => [o.matcher.options, o.properties[0].value]));
  assert.deepEqual({ d: units['Duree secondes'], c: units.cpu_time, m: units.memory_used }, { d: 's', c: 's', m: 'bytes' });
});

test('row 5: the 5 latest FAILED runs with source, objet, description', () => {
  const last = panels.filter((p) => p.row === ERRORS_ROW);
  assert.equal(last.length, 1);
  const p = last[0];
  const { info, rename } = checkTable(p, contract.lastErrorsColumns);
  assert.equal(p.targets[0].maxLines, 5);
  assert.equal(p.targets[0].queryType, 'range', 'a logs query (newest lines first)');
  assert.ok(info.stream.some((m) => (m.name === 'etat' && m.op === '=' && m.value === 'FAILED') || (m.name === 'level' && m.value === 'error')), 'only failures');
  const byColumn = Object.fromEntries(Object.entries(rename).map(([k, v]) => [v, k]));
  assert.equal(byColumn.Source, 'source', 'Source = stream label source');
  assert.equal(info.extractions.find((x) => x.name === byColumn.Objet)?.path, 'objet.name');
  assert.equal(info.extractions.find((x) => x.name === byColumn.Description)?.path, 'description');
  // the failed event would be shown, with its error text
  const labels = labelsAfterJson(info, events.failed);
  assert.match(labels[byColumn.Description], /Erreur HTTP 503/);
  assert.equal(labels[byColumn.Objet], 'EventFactureApplication');
});
