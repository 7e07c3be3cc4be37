// Grafana 12 (SPEC §10): the committed dashboard JSON type-checks against Grafana's own published types, the
// `@grafana/schema` npm package of the pinned Grafana line (compose GRAFANA_IMAGE), with the TypeScript compiler:
// the dashboard model (`Dashboard`), then each panel's options and field config against its panel plugin's
// `Options` / `FieldConfig`. Object literals are checked with `satisfies`, so an option Grafana does not know (or
// no longer knows) is an error, as is a value outside its enum. Panel types must be ones Grafana 12 still ships:
// no Angular panel (graph, singlestat, table-old, ...), which Grafana 12 no longer loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { loadDashboard } from '../lib/queries.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const schemaPkg = require('@grafana/schema/package.json');
const composeFile = fs.readFileSync(path.join(here, '../../../compose/docker-compose.yml'), 'utf8');

// Panel plugins with published option types in @grafana/schema, and the type names of their panelcfg module
const TYPED_PANELS = {
  stat: { module: 'stat/panelcfg/x/StatPanelCfg_types.gen', fieldConfig: false },
  timeseries: { module: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', fieldConfig: true },
  bargauge: { module: 'bargauge/panelcfg/x/BarGaugePanelCfg_types.gen', fieldConfig: false },
  table: { module: 'table/panelcfg/x/TablePanelCfg_types.gen', fieldConfig: true },
};
// Core panels of Grafana 12 that have no CUE schema in @grafana/schema (checked for presence only)
const CORE_UNTYPED = ['row', 'alertlist'];
const ANGULAR_REMOVED = ['graph', 'singlestat', 'table-old', 'grafana-piechart-panel', 'grafana-worldmap-panel',
  'grafana-clock-panel', 'natel-discrete-panel', 'grafana-polystat-panel'];

// JSON holds an enum's values, not TypeScript's enum types: compare with the enums' string values instead
const LOOSE = 'type Loose<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T'
  + ' : T extends Array<infer U> ? Array<Loose<U>> : T extends object ? { [K in keyof T]: Loose<T[K]> } : T;';

const dash = loadDashboard();
const allPanels = dash.panels.flatMap((p) => [p, ...(p.panels || [])]);

test('@grafana/schema is of the Grafana line the compose stack pins', () => {
  const pinned = composeFile.match(/GRAFANA_IMAGE:-grafana\/grafana:(\d+)\.(\d+)\.(\d+)/);
  assert.ok(pinned, 'compose/docker-compose.yml pins grafana/grafana:<x.y.z>');
  assert.equal(schemaPkg.version, `${pinned[1]}.${pinned[2]}.${pinned[3]}`,
    'tools/dashboard devDependency @grafana/schema must be the pinned Grafana version');
  assert.equal(pinned[1], '12');
});

test('every panel type is one Grafana 12 ships (no removed Angular panel)', () => {
  const composable = fs.readdirSync(path.join(path.dirname(require.resolve('@grafana/schema/package.json')),
    'dist/types/raw/composable'));
  for (const panel of allPanels) {
    assert.ok(!ANGULAR_REMOVED.includes(panel.type), `panel "${panel.title}": ${panel.type} was removed`);
    assert.ok(composable.includes(panel.type) || CORE_UNTYPED.includes(panel.type),
      `panel "${panel.title}": type ${panel.type} is not a panel of @grafana/schema ${schemaPkg.version}`);
  }
});

test('the dashboard, each panel\'s options and field config type-check against @grafana/schema', () => {
  const literal = (value) => JSON.stringify(value ?? {}, null, 1);
  const lines = [`import type { Dashboard } from '@grafana/schema';`, LOOSE];
  Object.entries(TYPED_PANELS).forEach(([type, t]) => lines.push(
    `import type * as ${type}Cfg from '@grafana/schema/dist/esm/raw/composable/${t.module}';`));
  lines.push(`import type * as lokiQuery from '@grafana/schema/dist/esm/raw/composable/loki/dataquery/x/LokiDataQuery_types.gen';`);
  // The model. Two things are checked apart: a Loki annotation's `target` is a Loki query (the schema's
  // AnnotationTarget is the built-in annotations' one), and a query variable's `definition` (the text Grafana's
  // own variable editor writes beside the query) is not in the schema's VariableModel.
  const model = structuredClone(dash);
  const annotationTargets = [];
  for (const a of model.annotations?.list ?? []) {
    if (a.datasource?.type === 'loki') {
      annotationTargets.push(a.target);
      delete a.target;
    }
  }
  for (const v of model.templating?.list ?? []) {
    if (v.type === 'query') {
      assert.equal(typeof v.definition, 'string', `variable ${v.name}: definition`);
      delete v.definition;
    }
  }
  lines.push(`export const dashboard = (${literal(model)}) satisfies Loose<Dashboard>;`);
  annotationTargets.forEach((t, i) => lines.push(
    `export const annotationTarget${i} = (${literal(t)}) satisfies Loose<lokiQuery.LokiDataQuery>;`));
  let checked = 0;
  for (const panel of allPanels) {
    const t = TYPED_PANELS[panel.type];
    if (!t) continue;
    lines.push(`// panel ${panel.id}: ${panel.title.replace(/\n/g, ' ')}`);
    lines.push(`export const options${panel.id} = (${literal(panel.options)}) satisfies Loose<${panel.type}Cfg.Options>;`);
    checked++;
    if (t.fieldConfig) {
      lines.push(`export const custom${panel.id} = (${literal(panel.fieldConfig?.defaults?.custom)}) ` +
        `satisfies Loose<${panel.type}Cfg.FieldConfig>;`);
    }
  }
  assert.ok(checked >= 20, `panels with typed options: ${checked}`);

  // inside tools/dashboard, so that `@grafana/schema` resolves to its node_modules
  const dir = fs.mkdtempSync(path.join(here, '..', '.schema-check-'));
  try {
    const file = path.join(dir, 'dashboard.check.ts');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : '?';
      const src = d.file ? d.file.text.split('\n')[where - 1]?.slice(0, 160) : '';
      return `line ${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n    ${src}`;
    });
    assert.deepEqual(errors, [], `the dashboard does not match @grafana/schema ${schemaPkg.version}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the type check catches an option Grafana does not know', () => {
  const dir = fs.mkdtempSync(path.join(here, '..', '.schema-check-'));
  try {
    const file = path.join(dir, 'bad.check.ts');
    fs.writeFileSync(file, `import type * as statCfg from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';\n`
      + LOOSE + '\n'
      + `export const o = ({ colorMode: 'value', graphMode: 'none', justifyMode: 'auto', textMode: 'auto', wideLayout: true, showPercentChange: false, percentChangeColorMode: 'standard', orientation: 'auto', reduceOptions: { calcs: ['lastNotNull'] }, legacyAngularOption: 1 }) satisfies Loose<statCfg.Options>;\n`);
    const program = ts.createProgram([file], { strict: true, noEmit: true, moduleResolution: ts.ModuleResolutionKind.Bundler,
      module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    assert.ok(messages.some((m) => m.includes('legacyAngularOption')), messages.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
