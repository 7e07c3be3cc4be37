import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderAll } from '../lib/outputs.mjs';
import { withModifiedConfig } from './modified-copy.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

test('every committed generated file (rules, thresholds.json, dashboard) is what the generator produces', () => {
  const outputs = renderAll();
  assert.deepEqual(Object.keys(outputs).sort(), [
    'grafana-provisioning/dashboards/ingestion.json',
    'prometheus-rules/ingestion-alerts.yml',
    'prometheus-rules/ingestion-recording.yml',
    'prometheus-rules/thresholds.json',
  ]);
  for (const [path, content] of Object.entries(outputs)) {
    assert.equal(readFileSync(join(root, path), 'utf8'), content, `stale ${path}: run \`node generate.mjs\` in tools/dashboard`);
  }
});

test("the dashboard is the Foundation SDK's classic model (Grafana 12's schemaVersion), not a hand-made one", async () => {
  const { defaultDashboard } = await import('@grafana/grafana-foundation-sdk/dashboard');
  const committed = JSON.parse(readFileSync(join(root, 'grafana-provisioning/dashboards/ingestion.json'), 'utf8'));
  assert.equal(committed.schemaVersion, defaultDashboard().schemaVersion);
  assert.ok(committed.schemaVersion >= 41, `schemaVersion ${committed.schemaVersion} is older than Grafana 12's`);
});

test('generation is deterministic', () => {
  assert.deepEqual(renderAll(), renderAll());
});

test('`node generate.mjs --check` exits 0 on the committed files', () => {
  const r = spawnSync(process.execPath, ['generate.mjs', '--check'], { cwd: here, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('`node generate.mjs --check` exits 1 and names the rule file when a committed rule file is stale', () => {
  withModifiedConfig((s) => s, ({ dir, root: copyRoot }) => {
    assert.equal(spawnSync(process.execPath, ['generate.mjs'], { cwd: dir }).status, 0);
    assert.equal(spawnSync(process.execPath, ['generate.mjs', '--check'], { cwd: dir }).status, 0);
    const alerts = join(copyRoot, 'prometheus-rules/ingestion-alerts.yml');
    const text = readFileSync(alerts, 'utf8');
    execFileSync('sh', ['-c', 'cat > "$0"', alerts], { input: text.replace('> 1000', '> 999') });
    const r = spawnSync(process.execPath, ['generate.mjs', '--check'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /prometheus-rules\/ingestion-alerts\.yml is not up to date/);
    assert.doesNotMatch(r.stderr, /ingestion\.json/);
  });
});

test('queries.mjs prints valid JSON with expanded PromQL and LogQL', () => {
  for (const args of [[], ['--logql']]) {
    const out = execFileSync(process.execPath, ['queries.mjs', ...args], { cwd: here, encoding: 'utf8' });
    const qs = JSON.parse(out);
    assert.ok(qs.length > 0);
    for (const q of qs) {
      for (const k of ['panel', 'refId', 'expr']) assert.equal(typeof q[k], 'string', `${k} of ${JSON.stringify(q)}`);
      assert.equal(typeof q.instant, 'boolean');
      assert.ok(!q.expr.includes('$'), `unexpanded variable in ${q.panel}/${q.refId}: ${q.expr}`);
    }
  }
});
