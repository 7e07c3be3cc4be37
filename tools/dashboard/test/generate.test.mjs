import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderDashboard } from '../lib/build.mjs';
import { DASHBOARD_PATH } from '../lib/queries.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));

test('the committed ingestion.json is what the generator produces', () => {
  const committed = readFileSync(DASHBOARD_PATH, 'utf8');
  assert.equal(committed, renderDashboard(), 'stale dashboard JSON: run `node generate.mjs` in tools/dashboard');
});

test('generation is deterministic', () => {
  assert.equal(renderDashboard(), renderDashboard());
});

test('`node generate.mjs --check` exits 0 on the committed JSON', () => {
  const r = spawnSync(process.execPath, ['generate.mjs', '--check'], { cwd: here, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
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
