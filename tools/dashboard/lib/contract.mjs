// Loads the SPEC contract fixture and the dashboard for the tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDashboard } from './queries.mjs';

export const fixture = (name) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url)), 'utf8'));

export const contract = fixture('spec-contract.json');

/** label names a selector of `name` may use (histogram suffixes resolved), or null for an unknown metric */
export function labelsOfMetric(name) {
  const m = contract.metrics;
  const entry = (n) => (Array.isArray(m[n]) ? m[n] : m[n]?.labels);
  if (name in m && !m[name].histogram) return [...entry(name), ...contract.targetLabels];
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
    if (base && m[base]?.histogram) {
      return [...entry(base), ...contract.targetLabels, ...(suffix === '_bucket' ? ['le'] : [])];
    }
  }
  return null;
}

/** Panels with the row they belong to (rows excluded). */
export function panelsWithRows(dash = loadDashboard()) {
  const out = [];
  let row = null;
  for (const p of dash.panels) {
    if (p.type === 'row') row = p.title;
    else out.push({ ...p, row });
  }
  return out;
}
