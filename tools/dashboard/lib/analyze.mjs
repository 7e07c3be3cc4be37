// Static analysis of the dashboard's queries with the real grammars Grafana and Prometheus use in their editors:
// @grafana/lezer-logql (Grafana's LogQL grammar) and @prometheus-io/lezer-promql (Prometheus' PromQL grammar).
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

function errorsOf(parser, expr) {
  const errors = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) errors.push({ at: n.from, near: expr.slice(Math.max(0, n.from - 20), n.from + 20) });
    },
  });
  return errors;
}

export const promqlErrors = (expr) => errorsOf(promqlParser, expr);
export const logqlErrors = (expr) => errorsOf(logqlParser, expr);

function nodes(parser, expr) {
  const out = [];
  parser.parse(expr).iterate({
    enter(n) {
      out.push({ name: n.name, from: n.from, to: n.to, node: n.node });
    },
  });
  return out;
}

const text = (expr, n) => expr.slice(n.from, n.to);
const unquote = (s) => {
  if (s.startsWith('`')) return s.slice(1, -1);
  return JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/"/g, '\\"')}"` : s);
};
const child = (n, name) => n.getChild(name);
/** the parser stage (json / logfmt) a label extraction expression belongs to */
const parserOf = (n) => {
  let p = n.parent;
  while (p && p.name === 'LabelExtractionExpressionList') p = p.parent;
  return p?.name;
};
const children = (n, name) => n.getChildren(name);

/**
 * PromQL: every vector selector (metric name and the label names it matches on) and every grouping label
 * (`by (...)`, `on (...)`, ...).
 */
export function promqlInfo(expr) {
  const selectors = [];
  const grouping = [];
  for (const n of nodes(promqlParser, expr)) {
    if (n.name === 'VectorSelector') {
      const id = child(n.node, 'Identifier');
      const matchers = child(n.node, 'LabelMatchers');
      const labels = [];
      if (matchers) {
        for (const kind of ['UnquotedLabelMatcher', 'QuotedLabelMatcher']) {
          for (const m of children(matchers, kind)) {
            const ln = child(m, 'LabelName');
            if (ln) labels.push(text(expr, ln));
          }
        }
      }
      selectors.push({ metric: id ? text(expr, id) : null, labels });
    }
    if (n.name === 'GroupingLabels') {
      for (const ln of children(n.node, 'LabelName')) grouping.push(text(expr, ln));
    }
  }
  return { selectors, grouping };
}

/** Range ( [..] ) and offset durations of a PromQL or LogQL expression, as written (variables unexpanded). */
export function windowsOf(expr) {
  const ranges = [...expr.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1].trim());
  const offsets = [...expr.matchAll(/\boffset\s+(\$\{?\w+\}?|[0-9][0-9a-z]*)/g)].map((m) => m[1]);
  return { ranges, offsets };
}

/**
 * LogQL: stream matchers, `| json` extractions (name → path), whether a bare `| json` is used, and every label
 * the pipeline reads afterwards (label filters, unwrap, grouping, line_format template fields).
 */
export function logqlInfo(expr) {
  const stream = [];
  const extractions = [];
  const referenced = [];
  let bareJson = false;
  let otherParsers = [];
  for (const n of nodes(logqlParser, expr)) {
    if (n.name === 'Selector') {
      const walk = (ms) => {
        for (const m of children(ms, 'Matcher')) {
          const op = ['Eq', 'Neq', 'Re', 'Nre'].map((k) => child(m, k)).find(Boolean);
          stream.push({
            name: text(expr, child(m, 'Identifier')),
            op: op ? text(expr, op) : '?',
            value: unquote(text(expr, child(m, 'String'))),
          });
        }
        for (const inner of children(ms, 'Matchers')) walk(inner);
      };
      for (const ms of children(n.node, 'Matchers')) walk(ms);
    }
    if (n.name === 'LabelExtractionExpression' && parserOf(n.node) === 'JsonExpressionParser') {
      extractions.push({ name: text(expr, child(n.node, 'Identifier')), path: unquote(text(expr, child(n.node, 'String'))) });
    }
    if (n.name === 'LabelParser') {
      if (child(n.node, 'Json')) bareJson = true;
      else otherParsers.push(text(expr, n));
    }
    if (n.name === 'LogfmtParser' || n.name === 'LogfmtExpressionParser') otherParsers.push(text(expr, n));
    if (n.name === 'LabelFilter') {
      n.node.cursor().iterate((c) => {
        if (c.name === 'Identifier') referenced.push({ label: text(expr, c), via: 'label filter' });
      });
    }
    if (n.name === 'UnwrapExpr') {
      const id = child(n.node, 'Identifier');
      if (id) referenced.push({ label: text(expr, id), via: 'unwrap' });
    }
    if (n.name === 'Grouping') {
      n.node.cursor().iterate((c) => {
        if (c.name === 'Identifier') referenced.push({ label: text(expr, c), via: 'grouping' });
      });
    }
    if (n.name === 'LineFormatExpr') {
      const tpl = unquote(text(expr, child(n.node, 'String')));
      for (const m of tpl.matchAll(/\{\{\s*\.(\w+)/g)) referenced.push({ label: m[1], via: 'line_format' });
    }
  }
  // __error__ / __error_details__ are Loki's own labels
  const refs = referenced.filter((r) => !r.label.startsWith('__error'));
  return { stream, extractions, bareJson, otherParsers, referenced: dedupe(refs) };
}

function dedupe(refs) {
  const seen = new Set();
  return refs.filter((r) => (seen.has(r.label + r.via) ? false : seen.add(r.label + r.via)));
}

/** Resolve a Loki `| json` path (`a.b`, `a["b"]`, `a[0]`) in an object; undefined when absent. */
export function resolveJsonPath(obj, path) {
  const parts = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[\s*"([^"]+)"\s*\]|\[(\d+)\]/g)) parts.push(m[1] ?? m[2] ?? Number(m[3]));
  let cur = obj;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object' || !(p in cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Labels a bare `| json` produces from an event: nested keys joined with `_`; a key clashing with a stream
 *  label gets the `_extracted` suffix (Loki's rule). */
export function flattenJsonLabels(obj, streamLabels = [], prefix = '') {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = (prefix ? `${prefix}_${k}` : k).replace(/[^a-zA-Z0-9_]/g, '_');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenJsonLabels(v, [], key));
    else out[key] = v;
  }
  if (prefix) return out;
  const res = {};
  for (const [k, v] of Object.entries(out)) res[streamLabels.includes(k) ? `${k}_extracted` : k] = v;
  return res;
}
