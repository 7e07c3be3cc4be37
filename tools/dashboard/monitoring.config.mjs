// The one definition of the ingestion monitoring (SPEC §7), in the spirit of kubernetes-mixin's `_config`:
// thresholds, windows, selectors, runbook links and the windowed-count form. `node generate.mjs` derives from it
//   * prometheus-rules/ingestion-recording.yml and prometheus-rules/ingestion-alerts.yml (lib/rules.mjs),
//   * the dashboard's thresholds and selectors (dashboard.def.mjs → grafana-provisioning/dashboards/ingestion.json),
//   * prometheus-rules/thresholds.json, which the Java tests compare with the pipeline's HIGH_* defaults
//     (domain/Thresholds.java, application.properties) and the histogram bucket edges.
// To change a threshold: change it here, run `node generate.mjs` in tools/dashboard, commit what it wrote.

const MIB = 1048576;

/** Scrape job of the consumer replicas (compose/prometheus/prometheus.yml) and the Loki stream job (SPEC §5). */
export const selectors = {
  consumerJob: 'ingestion-consumer',
  lokiJob: 'ingestion-logs',
};

/** SPEC §7 thresholds; each is explained where its alert is defined in lib/rules.mjs. */
export const thresholds = {
  /** IngestionTauxEchecEleve: failures / runs over 15 min, all sources, above this ratio (0..1) */
  failureRatio: 0.02,
  /** IngestionSourceMuette: a source without a run for this many minutes */
  silenceMinutes: 75,
  /** IngestionLatenceDegradee: floor of the p95 duration (s) ... */
  latencyFloorSeconds: 60,
  /** ... and factor applied to the source's own 7-day p95 */
  latencyBaselineFactor: 2,
  /** IngestionSurconsommationMemoire and the events' high_memory_usage flag (HIGH_MEMORY_BYTES): 150 MiB */
  highMemoryBytes: 150 * MIB,
  /** IngestionSurconsommationCPU and the events' high_cpu_usage flag (HIGH_CPU_SECONDS) */
  highCpuSeconds: 60,
  /** IngestionBurstErreurs: more than this many failures of one source/objet ... */
  burstFailures: 3,
  /** IngestionKafkaLag: records behind */
  kafkaLag: 1000,
};

/** Windows and `for` durations of the alerts and recording rules (Prometheus duration strings). */
export const windows = {
  /** IngestionEchecDetecte: a failed run in the last ... */
  failure: '5m',
  /** IngestionBurstErreurs: ... failures within */
  burst: '10m',
  /** failure ratio and duration quantiles */
  ratio: '15m',
  ratioFor: '15m',
  /** memory / CPU quantiles */
  resources: '1h',
  /** latency baseline */
  baseline: '7d',
  /** IngestionSourceMuette: `for`, and how long "a source seen before" is remembered */
  silenceFor: '5m',
  remember: '1d',
  consumerDownFor: '1m',
  kafkaLagFor: '10m',
  /**
   * How far back the windowed counts look for the value before the window: 1 h for the counts the dashboard
   * and the ratio read; 1 day for the failure alerts, which have no `for` (a Prometheus outage shorter than a day
   * cannot replay old failures).
   */
  countLookback: '1h',
  failureLookback: '1d',
};

/** The histogram bucket edges the alerts compare quantiles with (the Java side checks RunMetrics has them). */
export const bucketEdges = {
  ingestion_memory_usage_bytes: [thresholds.highMemoryBytes],
  ingestion_cpu_usage_seconds: [thresholds.highCpuSeconds],
  ingestion_duration_seconds: [thresholds.latencyFloorSeconds],
};

/** Runbook of an alert: docs/runbooks.md, one section per alert, anchor = alert name in lower case. */
export const runbookUrl = (alert) =>
  `https://github.com/ingestobs/ingestion-observability/blob/main/docs/runbooks.md#${alert.toLowerCase()}`;

/**
 * The windowed count used instead of increase() (prometheus-rules/README.md, docs/reliability.md): "the last value
 * seen in the window minus the last value seen before it", or the whole last value when the series did not exist
 * before the window (its first run counts), when it went down (restart) or when it vanished during the window (a
 * replica that stopped keeps what it counted there). Exact integers, no extrapolation.
 *   countInWindow(x, '15m')                  -> last_over_time(x[15m]) - last_over_time(x[1h] offset 15m) ...
 *   countInWindow(x, '1d', {instant: true})  -> x - last_over_time(x[1h] offset 1d) ...  (value now, not last in window)
 * Returned as lines (`indent` spaces before each) to sit inside `sum by (...) (` ... `)`.
 */
export function countInWindow(x, window, { lookback = windows.countLookback, instant = false, indent = 2 } = {}) {
  const now = instant ? x : `last_over_time(${x}[${window}])`;
  const pad = ' '.repeat(indent);
  return [
    `${pad}  (${now} - last_over_time(${x}[${lookback}] offset ${window})) >= 0`,
    `${pad}or`,
    `${pad}  ${now}`,
  ].join('\n');
}

/**
 * The dashboard's forms of the same count (dashboard.def.mjs), for panels whose window is the dashboard range or a
 * sliding interval rather than a fixed rule window:
 *   countInRange: runs (failures, bucket counts...) during the dashboard range, first appearance included; the last
 *                 value in the range (last_over_time) so that a series that went stale before its end still counts;
 *   countInSlidingWindow: the same over a sliding window w (instant value now minus the value w ago).
 */
export const countInRange = (m, sel) =>
  `(last_over_time(${m}{${sel}}[$__range]) - ${m}{${sel}} offset $__range >= 0 or last_over_time(${m}{${sel}}[$__range]))`;
export const countInSlidingWindow = (m, sel, w = '$__rate_interval') =>
  `(${m}{${sel}} - ${m}{${sel}} offset ${w} >= 0 or ${m}{${sel}})`;

/** Duration string → seconds (s, m, h, d). */
export function seconds(duration) {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

/** What the dashboard's panels draw as thresholds, in the panels' units (derived, never edited apart). */
export const dashboardThresholds = {
  failureRatePercent: thresholds.failureRatio * 100,
  memoryBytes: thresholds.highMemoryBytes,
  cpuSeconds: thresholds.highCpuSeconds,
  durationSeconds: thresholds.latencyFloorSeconds,
  silenceSeconds: thresholds.silenceMinutes * 60,
};

/** What the pipeline's defaults must be (prometheus-rules/thresholds.json, read by the Java tests). */
export const pipelineDefaults = {
  HIGH_MEMORY_BYTES: thresholds.highMemoryBytes,
  HIGH_CPU_SECONDS: thresholds.highCpuSeconds,
};
