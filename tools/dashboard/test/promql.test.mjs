// Every PromQL query parses with Prometheus' own lezer grammar and only uses metrics/labels of SPEC §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allQueries, expand, EXPANSIONS, loadDashboard, variablesOf } from '../lib/queries.mjs';
import { promqlErrors, promqlInfo } from '../lib/analyze.mjs';
import { contract, labelsOfMetric } from '../lib/contract.mjs';

const dash = loadDashboard();
const prom = allQueries(dash).filter((q) => q.lang === 'promql');
const known = new Set(['datasource', 'loki', ...contract.variables, '__rate_interval', '__range', '__interval', '__auto']);

test('there are PromQL queries', () => assert.ok(prom.length >= 15, `only ${prom.length}`));

test('the grammar rejects a broken query (sanity check of the checker)', () => {
  assert.ok(promqlErrors('sum(rate(ingestion_runs_total[1m])) +').length > 0);
  assert.ok(promqlErrors('sum by (source (x)').length > 0);
  assert.equal(promqlErrors('sum by (source) (rate(ingestion_runs_total[1m]))').length, 0);
});

for (const mode of Object.keys(EXPANSIONS)) {
  test(`every PromQL query parses without error nodes (variables expanded: ${mode})`, () => {
    for (const q of prom) {
      const e = expand(q.expr, mode);
      assert.deepEqual(promqlErrors(e), [], `${q.panel}/${q.refId}: ${e}`);
    }
  });
}

test('only known template variables are used', () => {
  for (const q of prom) for (const v of variablesOf(q.expr)) assert.ok(known.has(v), `${q.panel}: $${v}`);
});

test('selectors use SPEC §4 metrics and only their labels; every selector is filtered by the variables', () => {
  for (const q of prom) {
    const { selectors, grouping } = promqlInfo(expand(q.expr, 'all'));
    assert.ok(selectors.length > 0, `${q.panel}: no selector`);
    const metricLabels = new Set(['le']);
    for (const s of selectors) {
      const labels = labelsOfMetric(s.metric);
      assert.ok(labels, `${q.panel}/${q.refId}: unknown metric ${s.metric}`);
      labels.forEach((l) => metricLabels.add(l));
      for (const l of s.labels) assert.ok(labels.includes(l), `${q.panel}/${q.refId}: ${s.metric} has no label ${l}`);
      // each template variable that applies to the metric must be used, so the dashboard filters consistently
      for (const v of contract.variables) {
        if (labels.includes(v)) assert.ok(s.labels.includes(v), `${q.panel}/${q.refId}: ${s.metric} not filtered by $${v}`);
      }
    }
    for (const g of grouping) assert.ok(metricLabels.has(g), `${q.panel}/${q.refId}: grouping label ${g}`);
  }
});

test('no recording rules: only raw metric names', () => {
  for (const q of prom) assert.doesNotMatch(q.expr, /\w+:\w+/, `${q.panel}: recording-rule name`);
});

test('variable queries reference SPEC metrics and labels', () => {
  for (const v of dash.templating.list.filter((x) => x.type === 'query')) {
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((\w+)(\{.*\})?, (\w+)\)$/.exec(q);
    assert.ok(m, q);
    const labels = labelsOfMetric(m[1]);
    assert.ok(labels?.includes(m[3]), q);
    if (m[2]) assert.deepEqual(promqlErrors(expand(`${m[1]}${m[2]}`, 'all')), []);
  }
});
