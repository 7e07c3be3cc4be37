// Compact, readable definition of the Grafana dashboard "Dashboard Grafana Ingestion" (SPEC §8).
//
// `node generate.mjs` expands it into ../../grafana-provisioning/dashboards/ingestion.json (the file Grafana
// provisions). Edit THIS file, regenerate, commit both. `npm test` fails when the JSON is stale.
//
// Conventions (enforced by test/lint.test.mjs):
//  * Prometheus panels use the datasource variable ${datasource}; Loki panels use the variable ${loki}
//    (provisioned uid `loki` is its default).
//  * Instant panels (stat, bar gauge, table) read the whole dashboard range: every range / offset in their PromQL
//    is `$__range`. Time-series panels read sliding windows: every range / offset is `$__rate_interval`
//    (or a fixed window the panel title states, e.g. "par 5 min" → 5m). LogQL ranges are `$__range` (instant)
//    or `$__interval` (bars of the timeline).
//  * No recording rules: raw metrics of SPEC §4 only.
//
// Why not increase()/rate()? The app creates a counter series when a (source, objet, ...) pair is first seen, so a
// first run appears at its final value (runs_total at 1, failures_total at 1 when that first run failed).
// Prometheus 2.x reads such a series as "no increase", so increase()/rate() would show 0 runs and 0 failures
// right after an ingestion (SPEC §4, §9). We use "delta with first appearance" forms instead:
//    runsInWindow(x, w)  =  (x - x offset w >= 0)  or  x
//  - a series that existed w ago contributes its exact delta over w (integer counts, no extrapolation);
//  - a series that did not exist w ago (new pair) contributes its whole value, i.e. its first run(s) count;
//  - a counter reset inside w gives a negative delta, dropped by `>= 0`, and the `or` then takes the value
//    accumulated since the reset.
// For the instant panels the window is the dashboard range and `last_over_time(x[$__range])` replaces `x` so a
// series that went stale (consumer stopped) before the end of the range still counts.

import { dashboardThresholds, selectors, countInRange, countInSlidingWindow } from './monitoring.config.mjs';

/**
 * Alert thresholds of SPEC §7, from monitoring.config.mjs (the one definition the rules are generated from): the
 * panels' thresholds repeat them so a red cell means "the alert fires". Threshold names in panels refer to these.
 */
export const THRESHOLDS = dashboardThresholds;
const SILENCE = THRESHOLDS.silenceSeconds;
const SILENCE_MIN = SILENCE / 60;
const MIB = (bytes) => bytes / 1048576;

// ---- selectors -------------------------------------------------------------------------------------------
/** labels of runs/failures/duration/cpu/memory/last_run_success */
const PAIR = 'source=~"$source", objet=~"$objet", entreprise=~"$entreprise", zone=~"$zone"';
/** ingestion_last_run_timestamp has no objet label */
const SRC = 'source=~"$source", entreprise=~"$entreprise", zone=~"$zone"';
/** ingestion_recovery_seconds has only source and objet */
const REC = 'source=~"$source", objet=~"$objet"';
/** Loki stream selector: stream labels only (job, source, etat, zone, entreprise, level) */
const LOKI = `{job="${selectors.lokiJob}", source=~"$source", entreprise=~"$entreprise", zone=~"$zone"}`;
const LOKI_FAILED = `{job="${selectors.lokiJob}", etat="FAILED", source=~"$source", entreprise=~"$entreprise", zone=~"$zone"}`;

// ---- PromQL building blocks --------------------------------------------------------------------------------
/** runs (or failures, bucket counts...) during the dashboard range / a sliding window: monitoring.config.mjs */
const inRange = countInRange;
const inWindow = countInSlidingWindow;
/** quantile of a histogram over the dashboard range (NaN — no run — dropped by >= 0) */
const qRange = (q, h, by = '') =>
  `histogram_quantile(${q}, sum by (${by ? by + ', ' : ''}le) (${inRange(`${h}_bucket`, PAIR)})) >= 0`;
/** quantile of a histogram over sliding windows (windows without a run give NaN, dropped) */
const qWindow = (q, h, by = '') =>
  `histogram_quantile(${q}, sum by (${by ? by + ', ' : ''}le) (${inWindow(`${h}_bucket`, PAIR)})) >= 0`;
/** newest-run time per source, kept through staleness */
const lastRun = `max by (source) (last_over_time(ingestion_last_run_timestamp{${SRC}}[$__range]))`;
/**
 * newest-run status per pair across scrape targets: each consumer replica exposes the state of the pairs it saw,
 * so a pair whose partition moved (a replica stopped, a rebalance) has one series per replica that owned it. Only
 * the series of the replica whose newest run of the pair ended last (ingestion_pair_last_run_timestamp) is kept;
 * `min by` then folds the replicas that agree on that same newest run (the new owner reads it back) into one.
 */
const pairLastRun = `last_over_time(ingestion_pair_last_run_timestamp{${PAIR}}[$__range])`;
const lastStatus =
  `min by (source, objet, entreprise, zone) (last_over_time(ingestion_last_run_success{${PAIR}}[$__range])` +
  ` and on (job, instance, source, objet, entreprise, zone) (${pairLastRun}` +
  ` == on (source, objet, entreprise, zone) group_left max by (source, objet, entreprise, zone) (${pairLastRun})))`;

/** failures / runs in %, no point at all (rather than NaN) when there was no run */
const failureRate = (by = '') => {
  const s = by ? `sum by (${by})` : 'sum';
  return (range) =>
    range
      ? `100 * ${s} (${inRange('ingestion_failures_total', PAIR)}) / (${s} (${inRange('ingestion_runs_total', PAIR)}) > 0)`
      : `100 * ${s} (${inWindow('ingestion_failures_total', PAIR)}) / (${s} (${inWindow('ingestion_runs_total', PAIR)}) > 0)`;
};

// ---- LogQL building blocks ---------------------------------------------------------------------------------
// `| json name="path"` extracts only what a panel needs (a bare `| json` would turn every field — description
// included — into a label, i.e. one series per line). Names are those a bare `| json` gives (dots → `_`).
// In metric queries the objet label is dropped once filtered on, so the inner series stay one per stream (Loki
// limits the number of series a query may build: max_query_series).
const OBJ = '| objet_name=~"$objet"';

const c = (color, value = null) => ({ color, value });

/**
 * Said in the description of every Prometheus panel that shows or counts objets: past METRICS_MAX_PAIRS pairs the
 * app counts a new pair's runs under objet="__other__" of their source (SPEC §4).
 */
const OTHER_NOTE =
  " « __other__ » n'est pas un objet : il regroupe les objets d'une source comptés au-delà de METRICS_MAX_PAIRS couples (source, objet) ; les totaux par source restent exacts et Loki garde les vrais noms (détails par connecteur).";

// ---- variables ---------------------------------------------------------------------------------------------
export const variables = [
  { name: 'datasource', kind: 'datasource', label: 'Prometheus', pluginId: 'prometheus', default: 'prometheus' },
  { name: 'loki', kind: 'datasource', label: 'Loki', pluginId: 'loki', default: 'loki' },
  { name: 'source', kind: 'query', label: 'Source', query: 'label_values(ingestion_runs_total, source)' },
  {
    name: 'objet',
    kind: 'query',
    label: 'Objet',
    query: 'label_values(ingestion_runs_total{source=~"$source"}, objet)',
  },
  { name: 'entreprise', kind: 'query', label: 'Entreprise', query: 'label_values(ingestion_runs_total, entreprise)' },
  { name: 'zone', kind: 'query', label: 'Zone', query: 'label_values(ingestion_runs_total, zone)' },
];

/** Loki annotation: every FAILED run marked on the time-series panels, at the run's own end time. */
export const annotations = [
  {
    name: 'Échecs (Loki)',
    iconColor: 'red',
    expr: `${LOKI_FAILED} | json objet_name="objet.name", description="description" ${OBJ} | line_format "{{.source}} / {{.objet_name}} : {{.description}}"`,
  },
];

// ---- rows and panels ---------------------------------------------------------------------------------------
// Panel kinds: stat, timeseries, bargauge, table, alertlist. `ds`: 'prom' (default) or 'loki'.
// `w`/`h`: grid size (24 columns); panels flow left to right. Targets: { expr, legend?, refId? }.
export const rows = [
  {
    title: "Vue d'ensemble — Ingestion: Health",
    panels: [
      {
        kind: 'stat',
        title: 'Succès',
        w: 4,
        h: 4,
        unit: 'none',
        description:
          "Statuts dernière exécution : nombre de couples (source, objet, entreprise, zone) dont l'exécution la plus récente a réussi (jauge ingestion_last_run_success = 1). last_over_time sur la période garde le dernier statut connu même si la série est devenue périmée. Avec plusieurs réplicas du consommateur, un couple dont la partition a changé de réplica (arrêt, rééquilibrage) a une série par réplica : seule compte celle du réplica qui a vu son exécution la plus récente (jauge ingestion_pair_last_run_timestamp, heure de fin de l'exécution)." +
          OTHER_NOTE,
        thresholds: [c('green')],
        targets: [{ expr: `count(${lastStatus} == 1) or vector(0)` }],
      },
      {
        kind: 'stat',
        title: 'Échecs',
        w: 4,
        h: 4,
        unit: 'none',
        description:
          "Statuts dernière exécution : nombre de couples dont l'exécution la plus récente a échoué (ingestion_last_run_success = 0). Un couple repasse en Succès dès que son exécution suivante réussit, y compris sur un autre réplica que celui qui a vu l'échec (l'exécution la plus récente de chaque couple l'emporte, ingestion_pair_last_run_timestamp). `or vector(0)` affiche 0 plutôt que « No data »." +
          OTHER_NOTE,
        thresholds: [c('green'), c('red', 1)],
        targets: [{ expr: `count(${lastStatus} == 0) or vector(0)` }],
      },
      {
        kind: 'stat',
        title: "Taux d'échec (%)",
        w: 4,
        h: 4,
        unit: 'percent',
        decimals: 2,
        noValue: 'Aucune exécution',
        description:
          `Échecs / exécutions sur la période affichée (en %), variables appliquées. Choix de requête : increase() lirait 0 pour une série apparue directement à sa valeur finale (premier run d'un couple, Prometheus 2.x), donc le tableau de bord serait vide juste après une ingestion. On prend pour chaque série son delta sur la période (valeur en fin de période via last_over_time − valeur au début via offset $__range) et, pour une série née pendant la période, sa valeur entière : le premier run compte. Seuil rouge = alerte IngestionTauxEchecEleve (${THRESHOLDS.failureRatePercent} %).`,
        thresholds: [c('green'), c('red', 'failureRatePercent')],
        targets: [{ expr: failureRate()(true) }],
      },
      {
        kind: 'stat',
        title: 'p95 durée (s)',
        w: 4,
        h: 4,
        unit: 's',
        decimals: 2,
        noValue: 'Aucune exécution',
        description:
          `95e centile de la durée des exécutions de la période (histogramme ingestion_duration_seconds, compteurs de buckets pris en delta sur la période, première apparition incluse). Seuil = ${THRESHOLDS.durationSeconds} s de l'alerte IngestionLatenceDegradee.`,
        thresholds: [c('green'), c('red', 'durationSeconds')],
        targets: [{ expr: qRange(0.95, 'ingestion_duration_seconds') }],
      },
      {
        kind: 'stat',
        title: 'Max mémoire (MB)',
        ds: 'loki',
        w: 4,
        h: 4,
        unit: 'bytes',
        decimals: 1,
        noValue: 'Aucune exécution',
        description:
          `Vrai maximum de la mémoire utilisée par une exécution de la période : max_over_time sur la valeur exacte performance.memory_used_bytes de chaque ligne Loki (unwrap), et non un _max Micrometer qui décroît. Affiché en MiB. Seuil = ${MIB(THRESHOLDS.memoryBytes)} MiB de l'alerte IngestionSurconsommationMemoire.`,
        thresholds: [c('green'), c('red', 'memoryBytes')],
        targets: [
          {
            instant: true,
            expr: `max(max_over_time(${LOKI} | json objet_name="objet.name", performance_memory_used_bytes="performance.memory_used_bytes" ${OBJ} | drop objet_name | unwrap performance_memory_used_bytes | __error__="" [$__range]))`,
          },
        ],
      },
      {
        kind: 'stat',
        title: 'Sources actives',
        w: 4,
        h: 4,
        unit: 'none',
        description:
          `Sources dont l'exécution la plus récente (heure de l'événement, ingestion_last_run_timestamp) date de moins de ${SILENCE_MIN} min à la fin de la période : l'inverse de l'alerte IngestionSourceMuette.`,
        thresholds: [c('blue')],
        targets: [{ expr: `count(time() - ${lastRun} <= ${SILENCE}) or vector(0)` }],
      },
      {
        kind: 'timeseries',
        title: 'Exécutions par état (chronologie)',
        ds: 'loki',
        w: 16,
        h: 8,
        unit: 'none',
        bars: true,
        stack: true,
        interval: '1m',
        colorsByName: { SUCCESS: 'green', FAILED: 'red', RUNNING: 'blue' },
        description:
          "Nombre d'exécutions par intervalle, empilées par état, à l'heure propre de chaque exécution (horodatage Loki = @timestamp = fin du run), et non à l'heure du scrape Prometheus.",
        targets: [
          {
            expr: `sum by (etat) (count_over_time(${LOKI} | json objet_name="objet.name" ${OBJ} | drop objet_name [$__interval]))`,
            legend: '{{etat}}',
          },
        ],
      },
      {
        kind: 'bargauge',
        title: 'Top sources par p95 durée (s)',
        w: 8,
        h: 8,
        unit: 's',
        decimals: 2,
        description:
          `Les 10 sources les plus lentes : p95 de ingestion_duration_seconds sur la période, par source, trié décroissant. Seuil = ${THRESHOLDS.durationSeconds} s (IngestionLatenceDegradee).`,
        thresholds: [c('green'), c('orange', 30), c('red', 'durationSeconds')],
        targets: [
          {
            expr: `sort_desc(topk(10, ${qRange(0.95, 'ingestion_duration_seconds', 'source')}))`,
            legend: '{{source}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Fiabilité — Errors & SLAs',
    panels: [
      {
        kind: 'timeseries',
        title: "Taux d'échec global (%)",
        w: 8,
        h: 8,
        unit: 'percent',
        description:
          `Échecs / exécutions, toutes sources sélectionnées ensemble, sur des fenêtres glissantes de $__rate_interval. Delta par série avec première apparition incluse (une série nouvelle compte sa valeur entière) plutôt que increase(), qui ignorerait le premier run d'un couple. Ligne rouge = ${THRESHOLDS.failureRatePercent} % (IngestionTauxEchecEleve). Pas de point quand il n'y a eu aucune exécution.`,
        thresholds: [c('green'), c('red', 'failureRatePercent')],
        thresholdsStyle: 'line',
        targets: [{ expr: failureRate()(false), legend: 'Global' }],
      },
      {
        kind: 'timeseries',
        title: "Taux d'échec par source (%)",
        w: 10,
        h: 8,
        unit: 'percent',
        description:
          `Même calcul que le taux global, par source. Ligne rouge = ${THRESHOLDS.failureRatePercent} %.`,
        thresholds: [c('green'), c('red', 'failureRatePercent')],
        thresholdsStyle: 'line',
        targets: [{ expr: failureRate('source')(false), legend: '{{source}}' }],
      },
      {
        kind: 'alertlist',
        title: 'Alertes Ingestion',
        w: 6,
        h: 8,
        description:
          'Alertes Prometheus (règles Ingestion* de prometheus-rules/) en cours ou en attente, lues par Grafana depuis la source de données Prometheus.',
        alertName: 'Ingestion',
      },
      {
        kind: 'stat',
        title: 'MTTR moyen (s)',
        w: 4,
        h: 7,
        unit: 's',
        decimals: 0,
        noValue: 'Aucune reprise',
        description:
          "Temps moyen de rétablissement : de la fin du premier échec d'une série d'échecs à la fin du succès suivant, même source/objet (histogramme ingestion_recovery_seconds : somme / nombre de reprises de la période)." +
          OTHER_NOTE,
        thresholds: [c('green'), c('orange', 3600), c('red', 14400)],
        targets: [
          {
            expr: `sum(${inRange('ingestion_recovery_seconds_sum', REC)}) / (sum(${inRange('ingestion_recovery_seconds_count', REC)}) > 0)`,
          },
        ],
      },
      {
        kind: 'bargauge',
        title: 'MTTR par source (s)',
        w: 6,
        h: 7,
        unit: 's',
        decimals: 0,
        noValue: 'Aucune reprise',
        description: 'MTTR moyen de la période, par source (ingestion_recovery_seconds).' + OTHER_NOTE,
        thresholds: [c('green'), c('orange', 3600), c('red', 14400)],
        targets: [
          {
            expr: `sum by (source) (${inRange('ingestion_recovery_seconds_sum', REC)}) / (sum by (source) (${inRange('ingestion_recovery_seconds_count', REC)}) > 0)`,
            legend: '{{source}}',
          },
        ],
      },
      {
        kind: 'bargauge',
        title: `Fraîcheur par source — SLO ${SILENCE_MIN} min`,
        w: 10,
        h: 7,
        unit: 's',
        decimals: 0,
        description:
          `Temps écoulé depuis la fin de l'exécution la plus récente de chaque source (heure de l'événement, ingestion_last_run_timestamp), à la fin de la période. Rouge au-delà de ${SILENCE_MIN} min = ${SILENCE} s : l'alerte IngestionSourceMuette se déclenche.`,
        thresholds: [c('green'), c('orange', 3600), c('red', 'silenceSeconds')],
        targets: [{ expr: `sort_desc(time() - ${lastRun})`, legend: '{{source}}' }],
      },
      {
        kind: 'stat',
        title: `Sources muettes (> ${SILENCE_MIN} min)`,
        w: 4,
        h: 7,
        unit: 'none',
        description: `Nombre de sources sans exécution depuis plus de ${SILENCE_MIN} min (SLO de fraîcheur violé).`,
        thresholds: [c('green'), c('red', 1)],
        targets: [{ expr: `count(time() - ${lastRun} > ${SILENCE}) or vector(0)` }],
      },
    ],
  },
  {
    title: 'Performance — Latency & Throughput',
    panels: [
      {
        kind: 'timeseries',
        title: 'Durée p50 / p95 / p99 par source (s)',
        w: 12,
        h: 9,
        unit: 's',
        description:
          `Centiles de ingestion_duration_seconds par source sur des fenêtres de $__rate_interval (buckets en delta, première apparition incluse). Ligne rouge = ${THRESHOLDS.durationSeconds} s.`,
        thresholds: [c('green'), c('red', 'durationSeconds')],
        thresholdsStyle: 'line',
        targets: [
          { expr: qWindow(0.5, 'ingestion_duration_seconds', 'source'), legend: 'p50 {{source}}' },
          { expr: qWindow(0.95, 'ingestion_duration_seconds', 'source'), legend: 'p95 {{source}}' },
          { expr: qWindow(0.99, 'ingestion_duration_seconds', 'source'), legend: 'p99 {{source}}' },
        ],
      },
      {
        kind: 'table',
        title: 'Durée p50 / p95 / p99 par source et objet (s)',
        w: 12,
        h: 9,
        unit: 's',
        description: 'Centiles de durée sur toute la période, par couple source / objet, triés par p95 décroissant.' + OTHER_NOTE,
        thresholds: [c('green'), c('red', 'durationSeconds')],
        columns: { source: 'Source', objet: 'Objet', 'Value #A': 'p50', 'Value #B': 'p95', 'Value #C': 'p99' },
        sortBy: 'p95',
        targets: [
          { expr: qRange(0.5, 'ingestion_duration_seconds', 'source, objet') },
          { expr: qRange(0.95, 'ingestion_duration_seconds', 'source, objet') },
          { expr: qRange(0.99, 'ingestion_duration_seconds', 'source, objet') },
        ],
      },
      {
        kind: 'timeseries',
        title: 'Exécutions par 5 min par source',
        w: 8,
        h: 8,
        unit: 'none',
        fixedWindow: '5m',
        description:
          "Nombre d'exécutions dans les 5 dernières minutes, par source (ingestion_runs_total en delta sur 5 min, première apparition incluse). Heure du scrape Prometheus ; la chronologie Loki de la première rangée montre l'heure propre des runs.",
        thresholds: [c('green')],
        targets: [{ expr: `sum by (source) (${inWindow('ingestion_runs_total', PAIR, '5m')})`, legend: '{{source}}' }],
      },
      {
        kind: 'bargauge',
        title: 'CPU p95 par source (s)',
        w: 8,
        h: 8,
        unit: 's',
        decimals: 2,
        description:
          `p95 du temps CPU par exécution (ingestion_cpu_usage_seconds) sur la période, par source. Rouge au-delà de ${THRESHOLDS.cpuSeconds} s (IngestionSurconsommationCPU).`,
        thresholds: [c('green'), c('orange', 30), c('red', 'cpuSeconds')],
        targets: [{ expr: `sort_desc(${qRange(0.95, 'ingestion_cpu_usage_seconds', 'source')})`, legend: '{{source}}' }],
      },
      {
        kind: 'bargauge',
        title: 'Mémoire p95 par source',
        w: 8,
        h: 8,
        unit: 'bytes',
        decimals: 1,
        description:
          `p95 de la mémoire par exécution (ingestion_memory_usage_bytes) sur la période, par source. Rouge au-delà de ${MIB(THRESHOLDS.memoryBytes)} MiB (IngestionSurconsommationMemoire).`,
        thresholds: [c('green'), c('orange', 104857600), c('red', 'memoryBytes')],
        targets: [
          { expr: `sort_desc(${qRange(0.95, 'ingestion_memory_usage_bytes', 'source')})`, legend: '{{source}}' },
        ],
      },
    ],
  },
  {
    title: 'Détails par connecteur — Sources & Objets',
    panels: [
      {
        kind: 'table',
        title: 'Exécutions par connecteur',
        ds: 'loki',
        w: 24,
        h: 12,
        filterable: true,
        maxLines: 1000,
        description:
          "Une ligne par exécution (lignes Loki de la période, filtrables par colonne) : champs JSON de l'événement extraits par `| json`, convertis (nombres, dates) et renommés comme dans les journaux d'exécution des connecteurs.",
        // extracted label → column title; the six SPEC §8 columns plus source/objet/etat for filtering
        columns: {
          debut: 'Debut',
          fin: 'Fin',
          source: 'Source',
          objet_name: 'Objet',
          etat: 'Etat',
          performance_duree_secondes: 'Duree secondes',
          performance_cpu_time_sec: 'cpu_time',
          performance_memory_used_bytes: 'memory_used',
          description: 'Description',
        },
        types: {
          debut: 'time',
          fin: 'time',
          performance_duree_secondes: 'number',
          performance_cpu_time_sec: 'number',
          performance_memory_used_bytes: 'number',
        },
        columnUnits: { 'Duree secondes': 's', cpu_time: 's', memory_used: 'bytes' },
        sortBy: 'Fin',
        targets: [
          {
            expr: `${LOKI} | json objet_name="objet.name", debut="debut", fin="fin", performance_duree_secondes="performance.duree_secondes", performance_cpu_time_sec="performance.cpu_time_sec", performance_memory_used_bytes="performance.memory_used_bytes", description="description" ${OBJ}`,
          },
        ],
      },
    ],
  },
  {
    title: "Derniers messages d'erreur",
    panels: [
      {
        kind: 'table',
        title: '5 dernières exécutions en échec',
        ds: 'loki',
        w: 24,
        h: 7,
        maxLines: 5,
        description:
          "Les 5 exécutions FAILED les plus récentes de la période (Loki renvoie les lignes les plus récentes d'abord, limitées à 5) avec source, objet et message d'erreur.",
        columns: { fin: 'Fin', source: 'Source', objet_name: 'Objet', description: 'Description' },
        types: { fin: 'time' },
        sortBy: 'Fin',
        targets: [
          {
            expr: `${LOKI_FAILED} | json objet_name="objet.name", fin="fin", description="description" ${OBJ} | line_format "{{.source}} / {{.objet_name}} : {{.description}}"`,
          },
        ],
      },
    ],
  },
];

export const dashboard = {
  uid: 'ingestion-dashboard',
  title: 'Dashboard Grafana Ingestion',
  description:
    "Exécutions des connecteurs d'ingestion : statuts, taux d'échec, SLO, performances et derniers messages d'erreur (Prometheus + Loki).",
  tags: ['ingestion', 'connecteurs', 'loki', 'prometheus'],
  time: { from: 'now-6h', to: 'now' },
  refresh: '1m',
  timezone: 'browser',
  links: [],
};
