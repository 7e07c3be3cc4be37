// Expands the compact definition (dashboard.def.mjs) into Grafana dashboard JSON with Grafana's own builders, the
// Grafana Foundation SDK (@grafana/grafana-foundation-sdk, classic dashboard model: the one Grafana 12 provisions
// from files). Pure and deterministic: same definition → byte-identical output (no dates, ids assigned in order).
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  FieldColorBuilder,
  PanelBuilder as GenericPanelBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HideSeriesConfigBuilder,
  ReduceDataOptionsBuilder,
  ScaleDistributionConfigBuilder,
  StackingConfigBuilder,
  GraphThresholdsStyleConfigBuilder,
  TableSortByFieldStateBuilder,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as BarGaugePanelBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { DataqueryBuilder as PrometheusQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { DataqueryBuilder as LokiQueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import * as def from '../dashboard.def.mjs';

const PROM = { type: 'prometheus', uid: '${datasource}' };
const LOKI = { type: 'loki', uid: '${loki}' };
const INSTANT_KINDS = ['stat', 'bargauge', 'table'];

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
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

function target(p, t, i) {
  const refId = t.refId ?? String.fromCharCode(65 + i);
  const instant = t.instant ?? INSTANT_KINDS.includes(p.kind);
  if (p.ds === 'loki') {
    const isLogs = p.kind === 'table';
    const q = new LokiQueryBuilder()
      .datasource(LOKI)
      .editorMode('code')
      .expr(t.expr)
      .queryType(isLogs ? 'range' : instant ? 'instant' : 'range')
      .refId(refId);
    if (t.legend) q.legendFormat(t.legend);
    if (p.maxLines) q.maxLines(p.maxLines);
    return q;
  }
  const q = new PrometheusQueryBuilder()
    .datasource(PROM)
    .editorMode('code')
    .expr(t.expr)
    .format(p.kind === 'table' ? 'table' : 'time_series')
    .refId(refId)
    .legendFormat(t.legend ?? '__auto');
  return instant ? q.instant() : q.range();
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
  if (Object.values(p.columns ?? {}).includes('Description')) {
    out.push({
      matcher: { id: 'byName', options: 'Description' },
      properties: [{ id: 'custom.minWidth', value: 400 }],
    });
  }
  return out;
}

const lastNotNull = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);
const noLegend = () => new VizLegendOptionsBuilder().calcs([]).displayMode('list').placement('bottom').showLegend(false);

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

/** The SDK builder of one panel of the definition, its visualization options set. */
function vizBuilder(p) {
  switch (p.kind) {
    case 'stat':
      return new StatPanelBuilder()
        .colorScheme(new FieldColorBuilder().mode('thresholds'))
        .colorMode('value')
        .graphMode('none')
        .justifyMode('auto')
        .orientation('auto')
        .reduceOptions(lastNotNull())
        .percentChangeColorMode('standard')
        .showPercentChange(false)
        .textMode('auto')
        .wideLayout(true);
    case 'bargauge':
      return new BarGaugePanelBuilder()
        .colorScheme(new FieldColorBuilder().mode('thresholds'))
        .displayMode('gradient')
        .legend(noLegend())
        .maxVizHeight(300)
        .minVizHeight(16)
        .minVizWidth(8)
        .namePlacement('auto')
        .orientation('horizontal')
        .reduceOptions(lastNotNull())
        .showUnfilled(true)
        .sizing('auto')
        .valueMode('color');
    case 'timeseries':
      return new TimeseriesPanelBuilder()
        .colorScheme(new FieldColorBuilder().mode('palette-classic'))
        .legend(new VizLegendOptionsBuilder().calcs([]).displayMode('list').placement('bottom').showLegend(true))
        .tooltip(new VizTooltipOptionsBuilder().mode('multi').sort('desc'))
        .axisBorderShow(false)
        .axisCenteredZero(false)
        .axisColorMode('text')
        .axisLabel('')
        .axisPlacement('auto')
        .axisSoftMin(0)
        .barAlignment(0)
        .drawStyle(p.bars ? 'bars' : 'line')
        .fillOpacity(p.bars ? 80 : 10)
        .gradientMode('none')
        .hideFrom(new HideSeriesConfigBuilder().legend(false).tooltip(false).viz(false))
        .insertNulls(false)
        .lineInterpolation('linear')
        .lineWidth(1)
        .pointSize(4)
        .scaleDistribution(new ScaleDistributionConfigBuilder().type('linear'))
        .showPoints('auto')
        .spanNulls(false)
        .stacking(new StackingConfigBuilder().group('A').mode(p.stack ? 'normal' : 'none'))
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(p.thresholdsStyle ?? 'off'));
    case 'table':
      return new TablePanelBuilder()
        .colorScheme(new FieldColorBuilder().mode('thresholds'))
        .cellHeight('sm')
        .frameIndex(0)
        .showHeader(true)
        .sortBy(p.sortBy ? [new TableSortByFieldStateBuilder().desc(true).displayName(p.sortBy)] : [])
        .align('auto')
        .cellOptions({ type: 'auto' })
        .filterable(!!p.filterable)
        .inspect(true);
    case 'alertlist':
      // no alert-list builder in the SDK: the generic panel builder with the plugin's options
      return new GenericPanelBuilder().type('alertlist').options({
        alertInstanceLabelFilter: '',
        alertName: p.alertName ?? '',
        dashboardAlerts: false,
        groupBy: [],
        groupMode: 'default',
        maxItems: 20,
        sortOrder: 1,
        stateFilter: { error: true, firing: true, noData: false, normal: false, pending: true },
        viewMode: 'list',
      });
    default:
      throw new Error(`unknown panel kind ${p.kind}`);
  }
}

function panel(p, id, gridPos) {
  const b = vizBuilder(p)
    .id(id)
    .title(p.title)
    .description(p.description ?? '')
    .datasource(dsOf(p))
    .gridPos(gridPos);
  if (p.kind !== 'alertlist') {
    b.thresholds(thresholds(p)).mappings([]);
    if (p.unit) b.unit(p.unit);
    if (p.decimals !== undefined) b.decimals(p.decimals);
    if (p.noValue) b.noValue(p.noValue);
    for (const o of overrides(p)) b.withOverride(o);
    b.transformations(transformations(p));
    (p.targets ?? []).forEach((t, i) => b.withTarget(target(p, t, i)));
  }
  if (p.interval) b.interval(p.interval);
  return b;
}

function variable(v) {
  if (v.kind === 'datasource') {
    return new DatasourceVariableBuilder(v.name)
      .label(v.label)
      .type(v.pluginId)
      .current({ selected: false, text: v.default, value: v.default })
      .hide(VariableHide.DontHide)
      .multi(false)
      .includeAll(false)
      .regex('');
  }
  return new QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource(PROM)
    .query(v.query)
    .definition(v.query)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .hide(VariableHide.DontHide)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .regex('')
    .options([]);
}

function annotation(a) {
  return new AnnotationQueryBuilder()
    .name(a.name)
    .datasource(LOKI)
    .enable(true)
    .hide(false)
    .iconColor(a.iconColor)
    .target(new LokiQueryBuilder().expr(a.expr).refId('Anno'));
}

const builtInAnnotation = () =>
  new AnnotationQueryBuilder()
    .builtIn(1)
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)')
    .name('Annotations & Alerts')
    .type('dashboard');

export function buildDashboard() {
  const d = def.dashboard;
  const b = new DashboardBuilder(d.title)
    .uid(d.uid)
    .id(null)
    .description(d.description)
    .tags(d.tags)
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time(d.time)
    .refresh(d.refresh)
    .timezone(d.timezone)
    .fiscalYearStartMonth(0)
    .weekStart('')
    .version(1)
    .links(d.links)
    .annotations([builtInAnnotation(), ...def.annotations.map(annotation)])
    .variables(def.variables.map(variable));
  // Positions and ids computed here, as before: the SDK lays panels out only when none is given, and gives ids to
  // none; left to flow left to right, the definition's widths fill each line exactly.
  let id = 0;
  let y = 0;
  for (const row of def.rows) {
    b.withRow(new RowBuilder(row.title).id(++id).collapsed(false).gridPos({ h: 1, w: 24, x: 0, y }));
    y += 1;
    let x = 0;
    let lineH = 0;
    for (const p of row.panels) {
      if (x + p.w > 24) {
        y += lineH;
        x = 0;
        lineH = 0;
      }
      b.withPanel(panel(p, ++id, { h: p.h, w: p.w, x, y }));
      x += p.w;
      lineH = Math.max(lineH, p.h);
    }
    y += lineH;
  }
  return withoutStaleDefaults(b.build());
}

/**
 * Two defaults of the SDK build (0.0.21, the newest; no build is tagged 12.x) that Grafana 12's own schema
 * (@grafana/schema of the pinned line, test/schema.test.mjs) no longer has: the table panel's `footer` option (a
 * field option since Grafana 12) and the interval variable's `auto`, `auto_min`, `auto_count` set on every variable.
 */
function withoutStaleDefaults(dash) {
  for (const v of dash.templating.list) {
    if (v.type !== 'interval') {
      delete v.auto;
      delete v.auto_min;
      delete v.auto_count;
    }
  }
  for (const p of dash.panels) if (p.type === 'table') delete p.options.footer;
  return dash;
}

/** Serialized form written to disk (key order as the SDK builds it, 2-space indent, trailing newline). */
export function renderDashboard() {
  return JSON.stringify(buildDashboard(), null, 2) + '\n';
}
