#!/usr/bin/env node
// Prints, as JSON on stdout, every PromQL query of every panel of the committed dashboard with template variables
// expanded to their "All" values ($source → .*, $__rate_interval → 1m, $__range → 1h, $__interval → 1m), ready to
// be sent to a real Prometheus (the Java end-to-end test does so with the sample ingested).
//
//   node queries.mjs            PromQL queries (default)
//   node queries.mjs --logql    LogQL queries instead (same expansion; for Loki's /loki/api/v1/query[_range])
//   node queries.mjs --raw      keep the template variables unexpanded
//
// Each element: { "row", "panel", "panelId", "refId", "instant", "expr" }. `instant: true` means the panel runs
// an instant query over the dashboard range ($__range); false means a range query (sliding windows), which is
// empty when nothing happened in the last window.
import { allQueries, expand } from './lib/queries.mjs';

const lang = process.argv.includes('--logql') ? 'logql' : 'promql';
const raw = process.argv.includes('--raw');
const out = allQueries()
  .filter((q) => q.lang === lang)
  .map(({ row, panel, panelId, refId, instant, expr }) => ({
    row,
    panel,
    panelId,
    refId,
    instant,
    expr: raw ? expr : expand(expr, 'all'),
  }));
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
