// Every LogQL query parses with Grafana's own LogQL grammar (@grafana/lezer-logql) and selects streams only by
// the labels the pipeline sends to Loki (SPEC §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allQueries, expand, EXPANSIONS, loadDashboard, variablesOf } from '../lib/queries.mjs';
import { logqlErrors, logqlInfo } from '../lib/analyze.mjs';
import { contract } from '../lib/contract.mjs';

const logql = allQueries(loadDashboard()).filter((q) => q.lang === 'logql');

test('there are LogQL queries (max memory, timeline, grid, last errors, annotation)', () => {
  assert.ok(logql.length >= 5, `only ${logql.length}`);
});

test('the grammar rejects a broken query (sanity check of the checker)', () => {
  assert.ok(logqlErrors('{job="ingestion-logs"} | json | unwrap [1m]').length > 0);
  assert.ok(logqlErrors('max_over_time({job="x"} | json [1m]) by').length > 0);
  assert.equal(logqlErrors('{job="ingestion-logs"} | json').length, 0);
});

for (const mode of Object.keys(EXPANSIONS)) {
  test(`every LogQL query parses without error nodes (variables expanded: ${mode})`, () => {
    for (const q of logql) {
      const e = expand(q.expr, mode);
      assert.deepEqual(logqlErrors(e), [], `${q.panel}/${q.refId}: ${e}`);
    }
  });
}

test('stream selectors use only the pipeline stream labels, always job="ingestion-logs"', () => {
  for (const q of logql) {
    const { stream } = logqlInfo(expand(q.expr, 'all'));
    assert.ok(stream.length > 0, q.panel);
    for (const m of stream) {
      assert.ok(contract.lokiStreamLabels.includes(m.name), `${q.panel}: ${m.name} is not a Loki stream label`);
    }
    assert.ok(stream.some((m) => m.name === 'job' && m.op === '=' && m.value === contract.lokiJob), `${q.panel}: job`);
  }
});

test('variables: source/entreprise/zone filter the stream, objet (not a stream label) filters the parsed JSON', () => {
  for (const q of logql) {
    const vars = variablesOf(q.expr);
    for (const v of ['source', 'entreprise', 'zone', 'objet']) assert.ok(vars.includes(v), `${q.panel}: $${v} unused`);
    const { stream: raw } = logqlInfo(q.expr); // template variables unexpanded: they sit inside strings
    for (const v of ['source', 'entreprise', 'zone']) {
      assert.ok(raw.some((m) => m.name === v && m.op === '=~' && m.value === `$${v}`), `${q.panel}: ${v}=~"$${v}" in the stream selector`);
    }
    assert.ok(!raw.some((m) => m.name === 'objet'), `${q.panel}: objet is not a stream label`);
    assert.match(q.expr, /\| objet_name=~"\$objet"/, `${q.panel}: objet filter on the JSON field`);
    const { extractions, bareJson } = logqlInfo(expand(q.expr, 'all'));
    assert.ok(bareJson || extractions.some((x) => x.name === 'objet_name' && x.path === 'objet.name'), q.panel);
  }
});

test('no parser but json (the line is the event JSON of SPEC §3)', () => {
  for (const q of logql) assert.deepEqual(logqlInfo(expand(q.expr, 'all')).otherParsers, [], q.panel);
});

test('unwrapped metric queries drop conversion errors', () => {
  for (const q of logql.filter((x) => /\| unwrap /.test(x.expr))) {
    assert.match(q.expr, /\| unwrap \w+ \| __error__=""/, q.panel);
  }
});
