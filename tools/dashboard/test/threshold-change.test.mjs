// One threshold changed in monitoring.config.mjs changes, together, the alert, the dashboard's threshold and the
// pipeline default the Java tests expect (prometheus-rules/thresholds.json): the generator run on a modified copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { withModifiedConfig } from './modified-copy.mjs';

const generated = (root) => ({
  alerts: readFileSync(join(root, 'prometheus-rules/ingestion-alerts.yml'), 'utf8'),
  recording: readFileSync(join(root, 'prometheus-rules/ingestion-recording.yml'), 'utf8'),
  defaults: JSON.parse(readFileSync(join(root, 'prometheus-rules/thresholds.json'), 'utf8')),
  dashboard: JSON.parse(readFileSync(join(root, 'grafana-provisioning/dashboards/ingestion.json'), 'utf8')),
});

function generateWith(edit) {
  return withModifiedConfig(edit, ({ root, dir, changed }) => {
    assert.ok(changed, 'the edit did not change monitoring.config.mjs');
    const r = spawnSync(process.execPath, ['generate.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return generated(root);
  });
}

const alertExpr = (yml, name) => {
  const m = new RegExp(`- alert: ${name}\\n\\s+expr: (.*)`).exec(yml);
  assert.ok(m, `no alert ${name}`);
  return m[1];
};
const thresholdsOf = (dash, title) => {
  const p = dash.panels.find((x) => x.title === title);
  assert.ok(p, `no panel ${title}`);
  return p.fieldConfig.defaults.thresholds.steps.map((s) => s.value);
};
const description = (yml, name) => new RegExp(`- alert: ${name}[\\s\\S]*?description: >-\\n([\\s\\S]*?)\\n\\s+runbook_url`).exec(yml)[1].replace(/\s+/g, ' ');

const base = generateWith((s) => s + '\n');

test('HIGH memory 150 MiB -> 200 MiB: alert, its text, dashboard thresholds and the pipeline default move together', () => {
  const mod = generateWith((s) => s.replace('highMemoryBytes: 150 * MIB,', 'highMemoryBytes: 200 * MIB,'));
  assert.equal(alertExpr(base.alerts, 'IngestionSurconsommationMemoire'), 'source:ingestion_memory_usage_bytes:p95_1h > 157286400');
  assert.equal(alertExpr(mod.alerts, 'IngestionSurconsommationMemoire'), 'source:ingestion_memory_usage_bytes:p95_1h > 209715200');
  assert.match(description(mod.alerts, 'IngestionSurconsommationMemoire'), /\(seuil : 200 Mio\)/);
  for (const title of ['Max mémoire (MB)', 'Mémoire p95 par source']) {
    assert.ok(thresholdsOf(base.dashboard, title).includes(157286400), title);
    assert.ok(thresholdsOf(mod.dashboard, title).includes(209715200), title);
    assert.ok(!thresholdsOf(mod.dashboard, title).includes(157286400), title);
  }
  assert.equal(base.defaults.pipelineDefaults.HIGH_MEMORY_BYTES, 157286400);
  assert.equal(mod.defaults.pipelineDefaults.HIGH_MEMORY_BYTES, 209715200);
  assert.deepEqual(mod.defaults.bucketEdges.ingestion_memory_usage_bytes, [209715200]);
  // nothing else moved
  assert.equal(alertExpr(mod.alerts, 'IngestionSurconsommationCPU'), alertExpr(base.alerts, 'IngestionSurconsommationCPU'));
  assert.equal(mod.recording, base.recording);
});

test('HIGH CPU 60 s -> 90 s: alert, dashboard threshold and pipeline default move together', () => {
  const mod = generateWith((s) => s.replace('highCpuSeconds: 60,', 'highCpuSeconds: 90,'));
  assert.equal(alertExpr(mod.alerts, 'IngestionSurconsommationCPU'), 'source:ingestion_cpu_usage_seconds:p95_1h > 90');
  assert.ok(thresholdsOf(mod.dashboard, 'CPU p95 par source (s)').includes(90));
  assert.ok(!thresholdsOf(mod.dashboard, 'CPU p95 par source (s)').includes(60));
  assert.equal(mod.defaults.pipelineDefaults.HIGH_CPU_SECONDS, 90);
  assert.match(description(mod.alerts, 'IngestionSurconsommationCPU'), /\(seuil : 90 s\)/);
});

test('failure ratio 2 % -> 5 %: the alert and the dashboard failure-rate panels', () => {
  const mod = generateWith((s) => s.replace('failureRatio: 0.02,', 'failureRatio: 0.05,'));
  assert.equal(alertExpr(base.alerts, 'IngestionTauxEchecEleve'), 'job:ingestion_failures_per_run:ratio_15m > 0.02');
  assert.equal(alertExpr(mod.alerts, 'IngestionTauxEchecEleve'), 'job:ingestion_failures_per_run:ratio_15m > 0.05');
  assert.match(description(mod.alerts, 'IngestionTauxEchecEleve'), /au-dessus du seuil de 5 %/);
  for (const title of ["Taux d'échec (%)", "Taux d'échec global (%)", "Taux d'échec par source (%)"]) {
    assert.deepEqual(thresholdsOf(base.dashboard, title), [null, 2]);
    assert.deepEqual(thresholdsOf(mod.dashboard, title), [null, 5]);
  }
});

test('silence 75 min -> 90 min: the alert, the freshness panels and their queries', () => {
  const mod = generateWith((s) => s.replace('silenceMinutes: 75,', 'silenceMinutes: 90,'));
  assert.match(alertExpr(mod.alerts, 'IngestionSourceMuette'), /> 90 \* 60$/);
  const fresh = mod.dashboard.panels.find((p) => p.title === 'Fraîcheur par source — SLO 90 min');
  assert.ok(fresh, 'freshness panel titled with the new threshold');
  assert.ok(fresh.fieldConfig.defaults.thresholds.steps.some((s) => s.value === 5400));
  const muettes = mod.dashboard.panels.find((p) => p.title === 'Sources muettes (> 90 min)');
  assert.match(muettes.targets[0].expr, /> 5400\)/);
});

test('burst 3 -> 5 failures, lag 1000 -> 5000, consumer job renamed: only the rules that use them change', () => {
  const mod = generateWith((s) =>
    s.replace('burstFailures: 3,', 'burstFailures: 5,').replace('kafkaLag: 1000,', 'kafkaLag: 5000,').replace("consumerJob: 'ingestion-consumer',", "consumerJob: 'ingest',"),
  );
  assert.equal(alertExpr(mod.alerts, 'IngestionBurstErreurs'), 'source_objet:ingestion_failures:increase_10m > 5');
  assert.match(description(mod.alerts, 'IngestionBurstErreurs'), /seuil : plus de 5\./);
  assert.equal(alertExpr(mod.alerts, 'IngestionKafkaLag'), 'max by (topic, group) (kafka_consumer_lag_sum) > 5000');
  assert.equal(alertExpr(mod.alerts, 'IngestionConsumerDown'), 'up{job="ingest"} == 0 or absent(up{job="ingest"})');
  assert.ok(!mod.alerts.includes('ingestion-consumer'));
});
