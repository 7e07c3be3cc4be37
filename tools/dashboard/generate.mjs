#!/usr/bin/env node
// Writes ../../grafana-provisioning/dashboards/ingestion.json from dashboard.def.mjs.
//   node generate.mjs           regenerate the committed JSON
//   node generate.mjs --check   exit 1 (and say so) if the committed JSON differs from the generator's output
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboard } from './lib/build.mjs';

export const OUTPUT = fileURLToPath(new URL('../../grafana-provisioning/dashboards/ingestion.json', import.meta.url));

const expected = renderDashboard();
const rel = relative(process.cwd(), OUTPUT);

if (process.argv.includes('--check')) {
  let actual = null;
  try {
    actual = readFileSync(OUTPUT, 'utf8');
  } catch {
    /* missing */
  }
  if (actual !== expected) {
    console.error(`${rel} is not up to date with dashboard.def.mjs: run \`node generate.mjs\` in tools/dashboard and commit the result.`);
    process.exit(1);
  }
  console.log(`${rel} is up to date.`);
} else {
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, expected);
  console.log(`wrote ${rel} (${expected.length} bytes)`);
}
