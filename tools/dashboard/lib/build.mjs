// Expands the compact definition (dashboard.def.mjs) into Grafana dashboard JSON (schemaVersion 39).
// Pure and deterministic: same definition → byte-identical output (no dates, ids assigned in order).
import * as def from '../dashboard.def.mjs';

export const SCHEMA_VERSION = 39;
const PROM = { type: 'prometheus', uid: '${datasource}' };
const LOKI = { type: 'loki', uid: '${loki}' };

const dsOf = (p) => (p.ds === 'loki' ? LOKI : PROM);

function thresholds(p) {
  const steps = (p.thresholds ?? [{ color: 'green', value: null }]).map(({ color, value }) => {
    let v = value;
    if (typeof v === 'string') {
      if (!(v in def.THRESHOLDS)) throw new Error(`${p.title}: unknown threshold ${v}`);
      v = def.THRESHOLDS[v];
    }
    return { color, value: v };
  });
  return { mode: 'absolute', steps };
}

function target(p, t, i) {
  const refId = t.refId ?? String.fromCharCode(65 + i);
  const instant = t.instant ?? ['stat', 'bargauge', 'table'].includes(p.kind);
  if (p.ds === 'loki') {
    const isLogs = p.kind === 'table';
    const out = {
      datasource: LOKI,
      editorMode: 'code',
      expr: t.expr,
      queryType: isLogs ? 'range' : instant ? 'instant' : 'range',
      refId,
    };
    if (t.legend) out.legendFormat = t.legend;
    if (p.maxLines) out.maxLines = p.maxLines;
    return out;
  }
  const out = {
    datasource: PROM,
    editorMode: 'code',
    expr: t.expr,
    format: p.kind === 'table' ? 'table' : 'time_series',
    instant,
    range: !instant,
    refId,
  };
  out.legendFormat = t.legend ?? '__auto';
  return out;
}

function fieldDefaults(p) {
  const d = {
    color: { mode: p.kind === 'timeseries' || p.kind === 'bargauge' ? 'palette-classic' : 'thresholds' },
    mappings: [],
    thresholds: thresholds(p),
  };
  if (p.kind === 'bargauge' || p.kind === 'stat') d.color = { mode: 'thresholds' };
  if (p.unit) d.unit = p.unit;
  if (p.decimals !== undefined) d.decimals = p.decimals;
  if (p.noValue) d.noValue = p.noValue;
  if (p.kind === 'timeseries') {
    d.custom = {
      axisBorderShow: false,
      axisCenteredZero: false,
      axisColorMode: 'text',
      axisLabel: '',
      axisPlacement: 'auto',
      axisSoftMin: 0,
      barAlignment: 0,
      drawStyle: p.bars ? 'bars' : 'line',
      fillOpacity: p.bars ? 80 : 10,
      gradientMode: 'none',
      hideFrom: { legend: false, tooltip: false, viz: false },
      insertNulls: false,
      lineInterpolation: 'linear',
      lineWidth: 1,
      pointSize: 4,
      scaleDistribution: { type: 'linear' },
      showPoints: 'auto',
      spanNulls: false,
      stacking: { group: 'A', mode: p.stack ? 'normal' : 'none' },
      thresholdsStyle: { mode: p.thresholdsStyle ?? 'off' },
    };
  }
  if (p.kind === 'table') {
    d.custom = {
      align: 'auto',
      cellOptions: { type: 'auto' },
      filterable: !!p.filterable,
      inspect: true,
    };
  }
  return d;
}

function overrides(p) {
  const out = [];
  for (const [name, color] of Object.entries(p.colorsByName ?? {})) {
    out.push({
      matcher: { id: 'byName', options: name },
      properties: [{ id: 'color', value: { fixedColor: color, mode: 'fixed' } }],
    });
  }
  for (const [name, unit] of Object.entries(p.columnUnits ?? {})) {
    out.push({ matcher: { id: 'byName', options: name }, properties: [{ id: 'unit', value: unit }] });
  }
  if (p.columns?.Description || Object.values(p.columns ?? {}).includes('Description')) {
    out.push({
      matcher: { id: 'byName', options: 'Description' },
      properties: [{ id: 'custom.minWidth', value: 400 }],
    });
  }
  return out;
}

function options(p) {
  switch (p.kind) {
    case 'stat':
      return {
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        percentChangeColorMode: 'standard',
        showPercentChange: false,
        textMode: 'auto',
        wideLayout: true,
      };
    case 'bargauge':
      return {
        displayMode: 'gradient',
        legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: false },
        maxVizHeight: 300,
        minVizHeight: 16,
        minVizWidth: 8,
        namePlacement: 'auto',
        orientation: 'horizontal',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        showUnfilled: true,
        sizing: 'auto',
        valueMode: 'color',
      };
    case 'timeseries':
      return {
        legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'table':
      return {
        // no `footer`: Grafana 12's table has none in its options (a footer is a field option there)
        cellHeight: 'sm',
        frameIndex: 0,
        showHeader: true,
        sortBy: p.sortBy ? [{ desc: true, displayName: p.sortBy }] : [],
      };
    case 'alertlist':
      return {
        alertInstanceLabelFilter: '',
        alertName: p.alertName ?? '',
        dashboardAlerts: false,
        groupBy: [],
        groupMode: 'default',
        maxItems: 20,
        sortOrder: 1,
        stateFilter: { error: true, firing: true, noData: false, normal: false, pending: true },
        viewMode: 'list',
      };
    default:
      throw new Error(`unknown panel kind ${p.kind}`);
  }
}

/** Grafana transformations turning a Prometheus or Loki frame into the table the definition describes. */
function transformations(p) {
  if (p.kind !== 'table') return [];
  const cols = p.columns ?? {};
  const order = Object.fromEntries(Object.keys(cols).map((k, i) => [k, i]));
  if (p.ds === 'loki') {
    // Loki logs frame: labels (stream + parsed labels), Time, Line, tsNs, id → one column per label.
    // (dataplane frames name them timestamp/body/severity; labelTypes appears with structured metadata;
    // Loki 3 adds service_name / detected_level on its own)
    const excludeByName = {
      Line: true, Time: true, body: true, id: true, labelTypes: true, labels: true, severity: true,
      timestamp: true, tsNs: true, job: true, level: true, service_name: true, detected_level: true,
    };
    for (const k of ['entreprise', 'zone', 'etat', 'source']) if (!(k in cols)) excludeByName[k] = true;
    return [
      { id: 'extractFields', options: { format: 'json', keepTime: false, replace: false, source: 'labels' } },
      {
        id: 'convertFieldType',
        options: {
          conversions: Object.entries(p.types ?? {}).map(([targetField, destinationType]) => ({
            destinationType,
            targetField,
          })),
          fields: {},
        },
      },
      { id: 'organize', options: { excludeByName, includeByName: {}, indexByName: order, renameByName: cols } },
      { id: 'sortBy', options: { fields: {}, sort: [{ desc: true, field: cols[p.sortBy] ?? p.sortBy }] } },
    ];
  }
  // Prometheus instant table: one frame per query → merge on the label columns.
  return [
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: { excludeByName: { Time: true }, includeByName: {}, indexByName: order, renameByName: cols },
    },
    { id: 'sortBy', options: { fields: {}, sort: [{ desc: true, field: p.sortBy }] } },
  ];
}

function panel(p, id, gridPos) {
  const out = {
    datasource: dsOf(p),
    description: p.description ?? '',
    fieldConfig: { defaults: fieldDefaults(p), overrides: overrides(p) },
    gridPos,
    id,
    options: options(p),
    targets: (p.targets ?? []).map((t, i) => target(p, t, i)),
    title: p.title,
    transformations: transformations(p),
    type: p.kind,
  };
  if (p.kind === 'alertlist') {
    delete out.fieldConfig;
    delete out.targets;
    delete out.transformations;
  }
  if (p.interval) out.interval = p.interval;
  return out;
}

function variable(v) {
  if (v.kind === 'datasource') {
    return {
      current: { selected: false, text: v.default, value: v.default },
      hide: 0,
      includeAll: false,
      label: v.label,
      multi: false,
      name: v.name,
      options: [],
      query: v.pluginId,
      refresh: 1,
      regex: '',
      skipUrlSync: false,
      type: 'datasource',
    };
  }
  return {
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    datasource: PROM,
    definition: v.query,
    hide: 0,
    includeAll: true,
    label: v.label,
    multi: true,
    name: v.name,
    options: [],
    query: v.query,
    refresh: 2,
    regex: '',
    skipUrlSync: false,
    sort: 1,
    type: 'query',
  };
}

function annotation(a) {
  return {
    datasource: LOKI,
    enable: true,
    hide: false,
    iconColor: a.iconColor,
    name: a.name,
    target: { expr: a.expr, refId: 'Anno' },
  };
}

export function buildDashboard() {
  let id = 0;
  let y = 0;
  const panels = [];
  for (const row of def.rows) {
    panels.push({ collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, id: ++id, panels: [], title: row.title, type: 'row' });
    y += 1;
    let x = 0;
    let lineH = 0;
    for (const p of row.panels) {
      if (x + p.w > 24) {
        y += lineH;
        x = 0;
        lineH = 0;
      }
      panels.push(panel(p, ++id, { h: p.h, w: p.w, x, y }));
      x += p.w;
      lineH = Math.max(lineH, p.h);
    }
    y += lineH;
  }
  const d = def.dashboard;
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        ...def.annotations.map(annotation),
      ],
    },
    description: d.description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: d.links,
    panels,
    refresh: d.refresh,
    schemaVersion: SCHEMA_VERSION,
    tags: d.tags,
    templating: { list: def.variables.map(variable) },
    time: d.time,
    timepicker: {},
    timezone: d.timezone,
    title: d.title,
    uid: d.uid,
    version: 1,
    weekStart: '',
  };
}

/** Serialized form written to disk (stable key order as built, 2-space indent, trailing newline). */
export function renderDashboard() {
  return JSON.stringify(buildDashboard(), null, 2) + '\n';
}
