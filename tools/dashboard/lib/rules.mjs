// The Prometheus rule files, generated from monitoring.config.mjs: the recording rules and the nine alerts of
// SPEC §7. Each rule keeps the comment that says why its threshold and form are what they are; the comments and
// the French texts quote the thresholds from the config, so a changed threshold changes them too.
// Rendered as YAML by hand (no dependency): block scalars for expressions, folded for descriptions.
import { selectors, thresholds as T, windows as W, runbookUrl, countInWindow, seconds } from '../monitoring.config.mjs';

const MIB = 1048576;
const PAIR_BY = 'source, objet, entreprise, zone';
const SOURCE_BY = 'source, entreprise, zone';

/** `sum by (by) (` windowed count of x `)`, as the lines of a block scalar. */
const sumCount = (by, x, window, opts) => `sum by (${by}) (\n${countInWindow(x, window, opts)}\n)`;

/** A recorded name's window suffix: 15m, 1h, 7d... */
const w = (d) => d;

// ---- French wording of the thresholds -------------------------------------------------------------------------
const fr = {
  percent: (ratio) => `${String(Math.round(ratio * 1e6) / 1e4).replace('.', ',')} %`,
  mib: (bytes) => (bytes % MIB === 0 ? `${bytes / MIB} Mio` : `${bytes} octets`),
  duration: (d) => {
    const s = seconds(d);
    if (s % 86400 === 0) return s === 86400 ? '1 jour' : `${s / 86400} jours`;
    if (s % 3600 === 0) return s === 3600 ? '1 heure' : `${s / 3600} heures`;
    if (s % 60 === 0) return `${s / 60} minutes`;
    return `${s} secondes`;
  },
  /** "les 15 dernières minutes" */
  last: (d) => {
    const s = seconds(d);
    if (s % 3600 === 0) return s === 3600 ? 'dernière heure' : `${s / 3600} dernières heures`;
    return `${s / 60} dernières minutes`;
  },
};

// ---- names of the recorded series -------------------------------------------------------------------------------
export const recorded = {
  jobRuns: `job:ingestion_runs:increase_${w(W.ratio)}`,
  jobFailures: `job:ingestion_failures:increase_${w(W.ratio)}`,
  jobRatio: `job:ingestion_failures_per_run:ratio_${w(W.ratio)}`,
  sourceRuns: `source:ingestion_runs:increase_${w(W.ratio)}`,
  sourceFailures: `source:ingestion_failures:increase_${w(W.ratio)}`,
  sourceRatio: `source:ingestion_failures_per_run:ratio_${w(W.ratio)}`,
  pairFailuresRecent: `source_objet:ingestion_failures:increase_${w(W.failure)}`,
  pairFailuresBurst: `source_objet:ingestion_failures:increase_${w(W.burst)}`,
  pairDurationBuckets: `source_objet_le:ingestion_duration_seconds_bucket:increase_${w(W.ratio)}`,
  sourceDurationBuckets: `source_le:ingestion_duration_seconds_bucket:increase_${w(W.ratio)}`,
  durationQ: (level, q) => `${level}:ingestion_duration_seconds:p${Math.round(q * 100)}_${w(W.ratio)}`,
  durationBaseline: `source:ingestion_duration_seconds:p95_${w(W.baseline)}`,
  memoryBuckets: `source_le:ingestion_memory_usage_bytes_bucket:increase_${w(W.resources)}`,
  memoryP95: `source:ingestion_memory_usage_bytes:p95_${w(W.resources)}`,
  cpuBuckets: `source_le:ingestion_cpu_usage_seconds_bucket:increase_${w(W.resources)}`,
  cpuP95: `source:ingestion_cpu_usage_seconds:p95_${w(W.resources)}`,
  lastRun: `source:ingestion_last_run_timestamp:max_${w(W.remember)}`,
  mttr: `source:ingestion_recovery_seconds:mean_${w(W.remember)}`,
};
const R = recorded;

// ---- recording rules ---------------------------------------------------------------------------------------------
const ratioRule = (record, failures, runs) => ({
  record,
  expr: `(\n  ${failures} or ${runs} * 0\n)\n/\n(${runs} > 0)`,
});

const quantiles = [0.5, 0.95, 0.99];
const q2 = (q) => q.toFixed(2);

export const recordingFile = {
  header: [
    'Recording rules of the ingestion observability pipeline (SPEC §4 metrics).',
    '',
    'Naming: level:metric:operations (https://prometheus.io/docs/practices/rules/).',
    '  job:            summed over every source (all sources together), one series per scrape job',
    '  source:         by source, entreprise, zone          (entreprise/zone kept so the dashboard variables still filter)',
    '  source_objet:   by source, objet, entreprise, zone',
    '  source_le: / source_objet_le:   the same levels plus `le` (histogram buckets, input of histogram_quantile)',
    '',
    'Windowed counts in this file do NOT use increase(). They use the exact form (countInWindow of the config)',
    '',
    `    (last_over_time(x[W]) - last_over_time(x[${W.countLookback}] offset W)) >= 0  or  last_over_time(x[W])`,
    '',
    'i.e. "last value seen in the window minus the last value seen before it":',
    '  * a series that did not exist before the window (a new source/objet, a new etat, a new histogram bucket)',
    '    counts its whole value: its first run is counted, although Prometheus 2.x sees a counter that appears at 1',
    '    as "no increase" (SPEC §4);',
    '  * a counter that went down (consumer restart: counters restart from 0) counts its new value, i.e. what the new',
    '    process has seen since it started;',
    `  * a scrape gap does not re-count an unchanged total (last_over_time ignores staleness and looks ${W.countLookback} back);`,
    '  * the result is an integer (no extrapolation), so "1 failure out of 72 runs" is exactly 1/72.',
    '  * a series that vanished during the window (a replica stopped, or its partition moved to another replica that',
    '    counts from there on) still counts what it counted in the window: each run is counted by one replica only',
    "    (docs/reliability.md), so the window's sum over replicas stays exact through a handover.",
    'A restart whose new count already exceeds the old one is under-counted by the old value (a replica restarted',
    'under the same instance address); that only matters around a consumer restart.',
    '',
    'Every histogram_quantile() result is filtered with `>= 0`: a window without any run gives NaN, and a NaN sample',
    'would poison the 7-day average below and draw a meaningless point on the dashboard. "No run" = no sample.',
  ],
  groups: [
    {
      name: 'ingestion-recording-runs',
      comment: [
        `Runs and failures, ${W.ratio} window: failure ratio (IngestionTauxEchecEleve) and dashboard row "Fiabilité";`,
        `failures of each source/objet over ${W.failure} and ${W.burst} (IngestionEchecDetecte, IngestionBurstErreurs).`,
        'Rules of a group run in order at the same timestamp: the ratios read the counts recorded just above them.',
      ],
      rules: [
        { record: R.jobRuns, expr: sumCount('job', 'ingestion_runs_total', W.ratio) },
        { record: R.jobFailures, expr: sumCount('job', 'ingestion_failures_total', W.ratio) },
        {
          comment: [
            'Failures / runs, all sources together. No run in the window: no sample (never a division by zero);',
            'runs without any failure series yet: 0.',
          ],
          ...ratioRule(R.jobRatio, R.jobFailures, R.jobRuns),
        },
        { record: R.sourceRuns, expr: sumCount(SOURCE_BY, 'ingestion_runs_total', W.ratio) },
        { record: R.sourceFailures, expr: sumCount(SOURCE_BY, 'ingestion_failures_total', W.ratio) },
        ratioRule(R.sourceRatio, R.sourceFailures, R.sourceRuns),
        {
          comment: [
            `Failures of each source/objet in the last ${W.failure} and ${W.burst}, read by the two failure alerts. Lookback`,
            `${W.failureLookback} (not ${W.countLookback}): those alerts have no \`for\`, so a Prometheus outage shorter than that cannot replay`,
            'old failures. The last value *in the window*: a replica that counted a failure and then stopped (its',
            "partition and the pair's state moved to another replica) leaves a stale series whose failure still counts.",
          ],
          record: R.pairFailuresRecent,
          expr: sumCount(PAIR_BY, 'ingestion_failures_total', W.failure, { lookback: W.failureLookback }),
        },
        {
          record: R.pairFailuresBurst,
          expr: sumCount(PAIR_BY, 'ingestion_failures_total', W.burst, { lookback: W.failureLookback }),
        },
      ],
    },
    {
      name: 'ingestion-recording-duration',
      comment: [
        `Run duration: p50/p95/p99 over ${W.ratio} by source and by source/objet (IngestionLatenceDegradee, dashboard`,
        `rows "Vue d'ensemble" and "Performance"), and the ${W.baseline} baseline of the p95 by source.`,
      ],
      rules: [
        {
          record: R.pairDurationBuckets,
          expr: sumCount(`${PAIR_BY}, le`, 'ingestion_duration_seconds_bucket', W.ratio),
        },
        { record: R.sourceDurationBuckets, expr: `sum by (${SOURCE_BY}, le) (${R.pairDurationBuckets})` },
        ...quantiles.map((q) => ({
          record: R.durationQ('source', q),
          expr: `histogram_quantile(${q2(q)}, ${R.sourceDurationBuckets}) >= 0`,
        })),
        ...quantiles.map((q) => ({
          record: R.durationQ('source_objet', q),
          expr: `histogram_quantile(${q2(q)}, ${R.pairDurationBuckets}) >= 0`,
        })),
        {
          comment: [
            `Baseline: p95 of the runs of the previous ${W.baseline}. Averaging the recorded ${W.ratio} bucket counts over ${W.baseline}`,
            `keeps each bucket's share of the runs (every run is in the same number of overlapping ${W.ratio} windows), so`,
            "the quantile of the average is the quantile of the period's runs. Cheap: one series per source and bucket,",
            `instead of re-reading ${W.baseline} of every raw bucket at each evaluation. \`offset ${W.ratio}\` leaves the current window`,
            'out, so a slow-down does not raise its own baseline. A new source has no baseline yet (no sample): the',
            `alert then uses its ${T.latencyFloorSeconds} s floor alone.`,
          ],
          record: R.durationBaseline,
          expr: `histogram_quantile(0.95,\n  avg_over_time(${R.sourceDurationBuckets}[${W.baseline}] offset ${W.ratio})\n) >= 0`,
        },
      ],
    },
    {
      name: 'ingestion-recording-resources',
      comment: [
        `Resource usage per run: p95 over ${W.resources} by source (IngestionSurconsommationMemoire / IngestionSurconsommationCPU,`,
        'dashboard row "Performance").',
      ],
      rules: [
        {
          record: R.memoryBuckets,
          expr: sumCount(`${SOURCE_BY}, le`, 'ingestion_memory_usage_bytes_bucket', W.resources),
        },
        { record: R.memoryP95, expr: `histogram_quantile(0.95, ${R.memoryBuckets}) >= 0` },
        {
          record: R.cpuBuckets,
          expr: sumCount(`${SOURCE_BY}, le`, 'ingestion_cpu_usage_seconds_bucket', W.resources),
        },
        { record: R.cpuP95, expr: `histogram_quantile(0.95, ${R.cpuBuckets}) >= 0` },
      ],
    },
    {
      name: 'ingestion-recording-freshness',
      comment: ['Freshness and MTTR (dashboard row "Fiabilité").'],
      rules: [
        {
          comment: [
            `Event time (epoch s) of the newest run's end per source, remembered for ${W.remember} across scrape gaps and`,
            'consumer restarts (a restarted consumer only re-exposes a source once that source runs again).',
            `Age for the freshness SLO: time() - ${R.lastRun} (> ${T.silenceMinutes * 60} s = breached).`,
          ],
          record: R.lastRun,
          expr: `max by (${SOURCE_BY}) (max_over_time(ingestion_last_run_timestamp[${W.remember}]))`,
        },
        {
          comment: [`Mean time to recovery over ${W.remember} (ingestion_recovery_seconds has only source and objet labels).`],
          record: R.mttr,
          expr:
            `${sumCount('source', 'ingestion_recovery_seconds_sum', W.remember, { instant: true })}\n/\n(\n` +
            `${sumCount('source', 'ingestion_recovery_seconds_count', W.remember, { instant: true })
              .split('\n')
              .map((l) => '  ' + l)
              .join('\n')} > 0\n)`,
        },
      ],
    },
  ],
};

// ---- alerts ------------------------------------------------------------------------------------------------------
const where = '(entreprise {{ $labels.entreprise }}, zone {{ $labels.zone }})';
const consumer = `job="${selectors.consumerJob}"`;

const alerts = [
  {
    comment: [
      'No `for` (SPEC): a failed run is a fact, not a trend; waiting would only delay the page. The alert stays',
      `active for ${W.failure} after the failure is scraped, long enough for Alertmanager to notify once, and a later`,
      `success does not end it early (the SPEC's condition is a failed run in the last ${W.failure}). The count is the`,
      `recorded ${R.pairFailuresRecent} (ingestion-recording.yml): the last value of the window,`,
      'so a replica that counted the failure and then stopped still counts, and the first failure a series ever sees',
      'counts.',
    ],
    alert: 'IngestionEchecDetecte',
    expr: `${R.pairFailuresRecent} > 0`,
    severity: 'critical',
    summary: "Échec d'ingestion : {{ $labels.source }} / {{ $labels.objet }}",
    description:
      `{{ $value }} exécution(s) en échec (Etat = FAILED) ces ${fr.last(W.failure)} pour la source ` +
      `{{ $labels.source }}, objet {{ $labels.objet }} ${where}. Le message d'erreur est dans Loki : ` +
      `{job="${selectors.lokiJob}", source="{{ $labels.source }}"} |= "FAILED".`,
  },
  {
    comment: [
      `${fr.percent(T.failureRatio)}: on the reference sample one failure in 72 runs (1.4 %) is normal noise and must stay quiet; above it`,
      `failures are no longer isolated. \`for: ${W.ratioFor}\` (SPEC): a single burst leaves the ${W.ratio} window and never fires`,
      'this alert (IngestionEchecDetecte / IngestionBurstErreurs cover it); only a failure rate sustained that long',
      'does. No run in the window: the ratio has no sample, so no alert (no 0/0).',
    ],
    alert: 'IngestionTauxEchecEleve',
    expr: `${R.jobRatio} > ${T.failureRatio}`,
    for: W.ratioFor,
    severity: 'warning',
    summary: "Taux d'échec des ingestions élevé : {{ $value | humanizePercentage }}",
    description:
      '{{ $value | humanizePercentage }} des exécutions de connecteurs (toutes sources confondues) ont échoué sur les ' +
      `${fr.last(W.ratio)}, au-dessus du seuil de ${fr.percent(T.failureRatio)}, et ce depuis au moins ${fr.duration(W.ratioFor)}.`,
  },
  {
    comment: [
      `${T.silenceMinutes} min = an hourly connector plus slack for a late or long run. Event time (the newest run's end),`,
      'not scrape time: a consumer catching up on old records does not look fresh. max_over_time keeps "a source seen',
      `before" across scrape gaps and consumer restarts, for ${W.remember}. \`for: ${W.silenceFor}\`: the condition only goes away with a`,
      'new run, so the delay costs a few minutes of reaction but absorbs a run that lands a few minutes late and the',
      'catch-up of a restarted consumer or Kafka backlog.',
    ],
    alert: 'IngestionSourceMuette',
    expr: `time() - max by (${SOURCE_BY}) (max_over_time(ingestion_last_run_timestamp[${W.remember}])) > ${T.silenceMinutes} * 60`,
    for: W.silenceFor,
    severity: 'warning',
    summary: 'Source muette : {{ $labels.source }}',
    description:
      `Aucune exécution de la source {{ $labels.source }} ${where} depuis {{ $value | humanizeDuration }} ` +
      `(fin de sa dernière exécution ; seuil : ${T.silenceMinutes} minutes).`,
  },
  {
    comment: [
      `${T.latencyFloorSeconds} s floor: connector runs normally take seconds; below it nobody needs to be woken up, whatever the`,
      `history says. ${T.latencyBaselineFactor}x the source's own ${W.baseline} p95: a source that is normally slow only alerts when it is really`,
      `slower than usual. Without a baseline yet (new source, fresh Prometheus), the floor alone applies. No \`for\`: the`,
      `${W.ratio} window already smooths one run, and p95 of a handful of runs is their slowest one anyway.`,
    ],
    alert: 'IngestionLatenceDegradee',
    expr:
      `${R.durationQ('source', 0.95)}\n  > on (${SOURCE_BY})\n(\n` +
      `    clamp_min(${T.latencyBaselineFactor} * ${R.durationBaseline}, ${T.latencyFloorSeconds})\n  or\n` +
      `    ${R.durationQ('source', 0.95)} * 0 + ${T.latencyFloorSeconds}\n)`,
    severity: 'warning',
    summary: 'Latence dégradée : {{ $labels.source }}',
    description:
      'Le p95 de la durée des exécutions de la source {{ $labels.source }} (entreprise {{ $labels.entreprise }}, ' +
      `zone {{ $labels.zone }}) atteint {{ $value | humanizeDuration }} sur ${fr.duration(W.ratio)}, au-dessus de ` +
      `max(${T.latencyFloorSeconds} s, ${T.latencyBaselineFactor} × son p95 des ${fr.duration(W.baseline)} précédents).`,
  },
  {
    comment: [
      `${T.highMemoryBytes} B = HIGH_MEMORY_BYTES (SPEC §3, the events' high_memory_usage flag): the reference runs use`,
      '5-20 MB, so the threshold is far above the normal peak. It is a histogram bucket edge (checked by the Java',
      `tests against RunMetrics): runs up to exactly the threshold cannot push the interpolated p95 over it. Over ${W.resources}`,
      'so that one heavy run among many does not fire; no `for` (the window is the smoothing).',
    ],
    alert: 'IngestionSurconsommationMemoire',
    expr: `${R.memoryP95} > ${T.highMemoryBytes}`,
    severity: 'warning',
    summary: 'Surconsommation mémoire : {{ $labels.source }}',
    description:
      'Le p95 de la mémoire utilisée par les exécutions de la source {{ $labels.source }} (entreprise ' +
      `{{ $labels.entreprise }}, zone {{ $labels.zone }}) atteint {{ $value | humanize1024 }}o sur ${fr.duration(W.resources)} ` +
      `(seuil : ${fr.mib(T.highMemoryBytes)}).`,
  },
  {
    comment: [
      `${T.highCpuSeconds} s = HIGH_CPU_SECONDS (SPEC §3): reference runs use 0.1-0.5 s of CPU; that much CPU per run means the`,
      'connector is parsing/transforming far more than usual (or looping). A bucket edge, as above.',
    ],
    alert: 'IngestionSurconsommationCPU',
    expr: `${R.cpuP95} > ${T.highCpuSeconds}`,
    severity: 'warning',
    summary: 'Surconsommation CPU : {{ $labels.source }}',
    description:
      'Le p95 du temps CPU des exécutions de la source {{ $labels.source }} (entreprise {{ $labels.entreprise }}, ' +
      `zone {{ $labels.zone }}) atteint {{ $value | humanizeDuration }} sur ${fr.duration(W.resources)} (seuil : ${T.highCpuSeconds} s).`,
  },
  {
    comment: [
      `> ${T.burstFailures} in ${W.burst}: one failure plus a couple of automatic retries is expected behaviour of a scheduler; more`,
      'failures of the same object that fast mean it is failing in a loop (hammering the SaaS API, risking a ban or',
      'quota exhaustion). Exact integer count (no increase() extrapolation, which turns 3 into 3.1).',
    ],
    alert: 'IngestionBurstErreurs',
    expr: `${R.pairFailuresBurst} > ${T.burstFailures}`,
    severity: 'warning',
    summary: "Rafale d'échecs : {{ $labels.source }} / {{ $labels.objet }}",
    description:
      `{{ $value }} échecs en ${fr.duration(W.burst)} pour la source {{ $labels.source }}, objet {{ $labels.objet }} ` +
      `${where} ; seuil : plus de ${T.burstFailures}. Le connecteur échoue en boucle.`,
  },
  {
    comment: [
      `${W.consumerDownFor} of failed scrapes: a single slow scrape or a quick restart does not page. absent(): the target vanished`,
      'from service discovery (e.g. DNS-based discovery of scaled consumers) is "down" as well. While it fires, every',
      'other ingestion alert is blind (no metrics).',
    ],
    alert: 'IngestionConsumerDown',
    expr: `up{${consumer}} == 0 or absent(up{${consumer}})`,
    for: W.consumerDownFor,
    severity: 'critical',
    summary: "Consommateur d'ingestion injoignable",
    description:
      "Prometheus n'arrive plus à lire les métriques de la cible " +
      '{{ with $labels.instance }}{{ . }}{{ else }}(aucune cible découverte){{ end }} du job {{ $labels.job }} ' +
      `depuis plus ${W.consumerDownFor === '1m' ? "d'une minute" : `de ${fr.duration(W.consumerDownFor)}`} : le consommateur est arrêté, bloqué ou injoignable, et les autres alertes ` +
      "d'ingestion sont aveugles.",
  },
  {
    comment: [
      `${T.kafkaLag} records for ${W.kafkaLagFor}: a producer run publishes ~100 records at once, consumed in seconds; a lag that stays`,
      'that high means the consumer (or Loki behind it, since offsets are committed only once Loki has the entries)',
      'no longer keeps up. A short spike (a big file dropped at once) drains in time and stays quiet. Every consumer',
      "replica reads the group's whole lag from the broker: `max by` gives one alert per topic/group, not one per replica.",
    ],
    alert: 'IngestionKafkaLag',
    expr: `max by (topic, group) (kafka_consumer_lag_sum) > ${T.kafkaLag}`,
    for: W.kafkaLagFor,
    severity: 'warning',
    summary: 'Retard de consommation Kafka : {{ $labels.topic }}',
    description:
      `Le groupe {{ $labels.group }} a {{ $value }} messages de retard sur le topic {{ $labels.topic }} depuis plus de ` +
      `${fr.duration(W.kafkaLagFor)} (seuil : ${T.kafkaLag}). Les métriques et les logs des exécutions arrivent en retard.`,
  },
];

export const alertsFile = {
  header: [
    'Alerting rules of the ingestion observability pipeline: the nine alerts of SPEC §7, exactly.',
    '',
    'The failure alerts and four others read recording rules of ingestion-recording.yml (failures per source/objet,',
    'failure ratio, p95 duration and its baseline, p95 memory and CPU): load both files (rule_files: <dir>/*.yml does).',
    'Runbooks: docs/runbooks.md, one section per alert, anchor = alert name in lower case.',
  ],
  groups: [
    {
      name: 'ingestion-alerts',
      rules: alerts.map((a) => ({
        comment: a.comment,
        alert: a.alert,
        expr: a.expr,
        for: a.for,
        labels: { severity: a.severity },
        annotations: { summary: a.summary, description: a.description, runbook_url: runbookUrl(a.alert) },
      })),
    },
  ],
};

export const ALERT_NAMES = alerts.map((a) => a.alert);

// ---- YAML rendering ----------------------------------------------------------------------------------------------
const GENERATED = [
  'GENERATED by tools/dashboard/generate.mjs from tools/dashboard/monitoring.config.mjs and lib/rules.mjs:',
  'edit those, run `node generate.mjs` in tools/dashboard and commit both (`node generate.mjs --check` fails when',
  'this file is stale). Unit tests: prometheus-rules/tests/ (hand-written, the oracle).',
];
const RULE = '-'.repeat(108);

const comment = (lines, indent) => lines.map((l) => `${' '.repeat(indent)}#${l ? ' ' + l : ''}`.trimEnd());

/** A plain scalar only when YAML cannot misread it; otherwise a block (multi-line) or JSON-quoted string. */
function scalar(key, value, indent) {
  const pad = ' '.repeat(indent);
  if (value.includes('\n')) {
    return [`${pad}${key}: |`, ...value.split('\n').map((l) => (l ? `${pad}  ${l}` : ''))];
  }
  const plain = /^[A-Za-z_(][^#]*$/.test(value) && !value.includes(': ') && !value.endsWith(':');
  return [`${pad}${key}: ${plain ? value : JSON.stringify(value)}`];
}

/** Folded block scalar (`>-`): words wrapped at 110 columns, joined back by single spaces when read. */
function folded(key, text, indent) {
  if (/\s{2}|\n/.test(text)) throw new Error(`${key}: double space or newline in folded text: ${text}`);
  const pad = ' '.repeat(indent);
  const out = [`${pad}${key}: >-`];
  let line = '';
  // a template action {{ ... }} is one word: it reads better unbroken
  for (const word of text.match(/(?:\{\{.*?\}\}|[^\s{]|\{(?!\{))+/g)) {
    if (line && pad.length + 2 + line.length + 1 + word.length > 110) {
      out.push(`${pad}  ${line}`);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  out.push(`${pad}  ${line}`);
  return out;
}

function renderRule(r) {
  const out = [];
  if (r.comment) {
    if (r.alert) out.push(`      # ${RULE}`);
    out.push(...comment(r.comment, 6));
    if (r.alert) out.push(`      # ${RULE}`);
  }
  const [first, ...rest] = r.record ? scalar('record', r.record, 8) : scalar('alert', r.alert, 8);
  out.push('      - ' + first.trimStart(), ...rest);
  out.push(...scalar('expr', r.expr, 8));
  if (r.for) out.push(`        for: ${r.for}`);
  if (r.labels) {
    out.push('        labels:');
    for (const [k, v] of Object.entries(r.labels)) out.push(...scalar(k, v, 10));
  }
  if (r.annotations) {
    out.push('        annotations:');
    out.push(...scalar('summary', r.annotations.summary, 10));
    out.push(...folded('description', r.annotations.description, 10));
    out.push(...scalar('runbook_url', r.annotations.runbook_url, 10));
  }
  return out;
}

export function renderRuleFile(file) {
  const out = [...comment([...GENERATED, '', ...file.header], 0), '', 'groups:'];
  file.groups.forEach((g, i) => {
    if (i > 0) out.push('');
    if (g.comment) out.push(`  # ${RULE}`, ...comment(g.comment, 2), `  # ${RULE}`);
    out.push(`  - name: ${g.name}`, '    rules:');
    g.rules.forEach((r, j) => {
      if (j > 0) out.push('');
      out.push(...renderRule(r));
    });
  });
  return out.join('\n') + '\n';
}

/** Relative output path (from the repository root) → content. */
export function renderRules() {
  return {
    'prometheus-rules/ingestion-recording.yml': renderRuleFile(recordingFile),
    'prometheus-rules/ingestion-alerts.yml': renderRuleFile(alertsFile),
  };
}
