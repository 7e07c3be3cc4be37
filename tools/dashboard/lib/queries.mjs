// Reads the queries out of the generated dashboard JSON and expands Grafana template variables.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = fileURLToPath(
  new URL('../../../grafana-provisioning/dashboards/ingestion.json', import.meta.url),
);

export function loadDashboard(path = DASHBOARD_PATH) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Values used to expand variables. `all` is what Grafana sends when "All" is selected (allValue `.*`). */
export const EXPANSIONS = {
  all: { source: '.*', objet: '.*', entreprise: '.*', zone: '.*' },
  single: { source: 'sharepoint_graph', objet: 'EventFactureApplication', entreprise: 'akonovia', zone: '1-Raw' },
  // Grafana formats a multi-value selection inside =~"..." as a regex alternation
  multi: { source: '(PowerBI|sharepoint_graph)', objet: '(workspaces|EventFactureApplication)', entreprise: 'akonovia', zone: '1-Raw' },
};

/** Built-in interval variables as Grafana would render them for a 1 h range with a 15 s scrape interval. */
export const BUILTINS = { __rate_interval: '1m', __interval: '1m', __range: '1h', __auto: '1m' };

const VAR_RE = /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g;

/** Expand `$var`, `${var}` and `${var:fmt}`; throws on an unknown variable so a typo cannot slip through. */
export function expand(expr, mode = 'all') {
  const values = { ...EXPANSIONS[mode], ...BUILTINS };
  return expr.replace(VAR_RE, (m, braced, bare) => {
    const name = braced ?? bare;
    if (!(name in values)) throw new Error(`unknown template variable ${m} in: ${expr}`);
    return values[name];
  });
}

/** Template variables referenced by an expression. */
export function variablesOf(expr) {
  return [...expr.matchAll(VAR_RE)].map((m) => m[1] ?? m[2]);
}

/** Every query of every panel (and of the annotations), with the row it sits in. */
export function allQueries(dash = loadDashboard()) {
  const out = [];
  let row = null;
  for (const p of dash.panels) {
    if (p.type === 'row') {
      row = p.title;
      continue;
    }
    for (const t of p.targets ?? []) {
      const ds = t.datasource ?? p.datasource;
      out.push({
        row,
        panel: p.title,
        panelId: p.id,
        panelType: p.type,
        refId: t.refId,
        lang: ds?.type === 'loki' ? 'logql' : 'promql',
        instant: ds?.type === 'loki' ? t.queryType === 'instant' : !!t.instant,
        expr: t.expr,
      });
    }
  }
  for (const a of dash.annotations?.list ?? []) {
    const expr = a.target?.expr ?? a.expr;
    if (a.datasource?.type === 'loki' && expr) {
      out.push({ row: null, panel: `annotation: ${a.name}`, panelId: null, panelType: 'annotation', refId: 'Anno', lang: 'logql', instant: false, expr });
    }
  }
  return out;
}
