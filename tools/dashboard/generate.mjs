#!/usr/bin/env node
// Writes, from monitoring.config.mjs and dashboard.def.mjs (paths from the repository root):
//   prometheus-rules/ingestion-recording.yml, prometheus-rules/ingestion-alerts.yml, prometheus-rules/thresholds.json,
//   grafana-provisioning/dashboards/ingestion.json
//   node generate.mjs           regenerate the committed files
//   node generate.mjs --check   exit 1 (and say which) if a committed file differs from the generator's output
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './lib/outputs.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const outputs = renderAll();

if (process.argv.includes('--check')) {
  const stale = [];
  for (const [path, expected] of Object.entries(outputs)) {
    let actual = null;
    try {
      actual = readFileSync(join(ROOT, path), 'utf8');
    } catch {
      /* missing */
    }
    if (actual !== expected) stale.push(path);
  }
  if (stale.length) {
    for (const path of stale) {
      console.error(`${path} is not up to date with monitoring.config.mjs / dashboard.def.mjs: run \`node generate.mjs\` in tools/dashboard and commit the result.`);
    }
    process.exit(1);
  }
  console.log(`${Object.keys(outputs).join(', ')}: up to date.`);
} else {
  for (const [path, content] of Object.entries(outputs)) {
    const file = join(ROOT, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${relative(process.cwd(), file)} (${content.length} bytes)`);
  }
}
