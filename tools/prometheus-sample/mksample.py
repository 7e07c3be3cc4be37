import json, datetime, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
from hist import *
recs = json.load(open(os.path.join(ROOT, 'logs.json')))
def ts(s): return datetime.datetime.strptime(s, '%Y-%m-%d %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).timestamp()
newest = max(ts(r['Fin']) for r in recs)
T0 = 60          # ingestion (and first scrape) at 60m
END = 120        # series until 120m
N = END + 1
RB = "https://github.com/ingestobs/ingestion-observability/blob/main/docs/runbooks.md#"
base = 'job="ingestion-consumer",instance="consumer:8000"'
series = []
def present(v):  # absent before T0, constant v after
    return [None]*T0 + [v]*(N-T0)
pairs = sorted({(r['Source'], r['Objet']) for r in recs})
assert len(pairs) == 72
for r in sorted(recs, key=lambda r: (r['Source'], r['Objet'])):
    s, o, e = r['Source'], r['Objet'], r['Etat'].upper()
    lab = f'{base},source="{s}",objet="{o}",entreprise="{r["entreprise"]}",zone="{r["zone"]}"'
    series.append((f'ingestion_runs_total{{{lab},etat="{e}"}}', compress(present(1))))
    series.append((f'ingestion_failures_total{{{lab}}}', compress(present(1 if e == 'FAILED' else 0))))
    for name, buckets, x in (('ingestion_duration_seconds', DUR, r['Duree secondes']),
                             ('ingestion_cpu_usage_seconds', CPU, r['cpu_time']),
                             ('ingestion_memory_usage_bytes', MEM, r['memory_used'])):
        series += hist_series(name, lab, buckets, N, lambda st, x=x: None if st < T0 else ([x] if st == T0 else []))
for s in sorted({r['Source'] for r in recs}):
    last = max(ts(r['Fin']) for r in recs if r['Source'] == s)
    v = round(T0*60 - (newest - last), 3)
    series.append((f'ingestion_last_run_timestamp{{{base},source="{s}",entreprise="akonovia",zone="1-Raw"}}', compress(present(v))))
series.append((f'up{{{base}}}', compress([1]*N)))
series.append(('up{job="prometheus",instance="localhost:9090"}', compress([1]*N)))
series.append((f'kafka_consumer_lag_sum{{{base},topic="ingestion-logs",group="ingestion-consumer-group"}}', compress([0]*T0 + [72] + [0]*(N-T0-1))))

ALERTS = ['IngestionEchecDetecte','IngestionTauxEchecEleve','IngestionSourceMuette','IngestionLatenceDegradee',
          'IngestionSurconsommationMemoire','IngestionSurconsommationCPU','IngestionBurstErreurs',
          'IngestionConsumerDown','IngestionKafkaLag']
echec = f"""          - exp_labels: {{severity: critical, source: sharepoint_graph, objet: EventFactureApplication, entreprise: akonovia, zone: 1-Raw}}
            exp_annotations:
              summary: "Échec d'ingestion : sharepoint_graph / EventFactureApplication"
              description: '1 exécution(s) en échec (Etat = FAILED) ces 5 dernières minutes pour la source sharepoint_graph, objet EventFactureApplication (entreprise akonovia, zone 1-Raw). Le message d''erreur est dans Loki : {{job="ingestion-logs", source="sharepoint_graph"}} |= "FAILED".'
              runbook_url: "{RB}ingestionechecdetecte"
"""
tests = []
for t in (60, 61, 64):
    for a in ALERTS:
        if a == 'IngestionEchecDetecte':
            tests.append(f"      - eval_time: {t}m\n        alertname: {a}\n        exp_alerts:\n{echec}")
        else:
            tests.append(f"      - eval_time: {t}m\n        alertname: {a}\n        exp_alerts: []\n")
tests.append("      # The failure is 5 min old: nothing fires any more (the demo stays quiet until its oldest source's newest\n"
             "      # run, EasyProjects at -6.4 min, is 75 min + 5 min old).\n")
for t in (65, 90, 120):
    for a in ALERTS:
        tests.append(f"      - eval_time: {t}m\n        alertname: {a}\n        exp_alerts: []\n")

doc = f"""# promtool test rules prometheus-rules/tests/sample-scenario.yml
#
# SPEC §9: the sample logs.json (72 runs of 2025-09-15, akonovia, 1-Raw, 72 distinct source/objet pairs, exactly
# one FAILED: sharepoint_graph / EventFactureApplication) ingested once into a fresh stack with
# REBASE_TIMESTAMPS=true. Expected: only IngestionEchecDetecte fires.
#
# GENERATED from logs.json (one series set per record, the application's histogram buckets); do not edit by hand.
# Timeline: the consumer has ingested everything at 60m, first scrape at 60m (before: no series at all).
#   ingestion_runs_total{{etat}}   appears at 1 (71 SUCCESS series, 1 FAILED series)
#   ingestion_failures_total      created at 0 for the 71 successful pairs; appears directly at 1 for the failed pair
#   duration / cpu / memory       one observation per pair (durations 1-3 s, cpu 0.11-0.5 s, memory 5-21 MB)
#   ingestion_last_run_timestamp  rebased: the newest run (Efficy) ends at 60m = 3600 s, the others keep their spacing
#   up = 1, kafka_consumer_lag_sum 72 for one scrape then 0
# Failure ratio: 1/72 = 1.39 % < 2 %.

rule_files:
  - ../ingestion-recording.yml
  - ../ingestion-alerts.yml

evaluation_interval: 1m

group_eval_order:
  - ingestion-recording-runs
  - ingestion-recording-duration
  - ingestion-recording-resources
  - ingestion-recording-freshness
  - ingestion-alerts

tests:
  - name: SPEC §9 sample - one ingestion of logs.json, only IngestionEchecDetecte fires
    interval: 1m
    input_series:
{emit(series)}
    alert_rule_test:
{''.join(tests)}    promql_expr_test:
      - expr: count(ingestion_runs_total)
        eval_time: 61m
        exp_samples:
          - labels: '{{}}'
            value: 72
      - expr: sum by (etat) (ingestion_runs_total)
        eval_time: 61m
        exp_samples:
          - labels: '{{etat="SUCCESS"}}'
            value: 71
          - labels: '{{etat="FAILED"}}'
            value: 1
      # The 72 runs count, although every runs counter appeared at 1 (first appearance).
      - expr: job:ingestion_runs:increase_15m
        eval_time: 61m
        exp_samples:
          - labels: 'job:ingestion_runs:increase_15m{{job="ingestion-consumer"}}'
            value: 72
      - expr: job:ingestion_failures:increase_15m
        eval_time: 61m
        exp_samples:
          - labels: 'job:ingestion_failures:increase_15m{{job="ingestion-consumer"}}'
            value: 1
      - expr: job:ingestion_failures_per_run:ratio_15m
        eval_time: 61m
        exp_samples:
          - labels: 'job:ingestion_failures_per_run:ratio_15m{{job="ingestion-consumer"}}'
            value: 0.013888888888888888
      - expr: source:ingestion_failures_per_run:ratio_15m
        eval_time: 61m
        exp_samples:
          - labels: 'source:ingestion_failures_per_run:ratio_15m{{source="sharepoint_graph",entreprise="akonovia",zone="1-Raw"}}'
            value: 0.07142857142857142
          - labels: 'source:ingestion_failures_per_run:ratio_15m{{source="PowerBI",entreprise="akonovia",zone="1-Raw"}}'
            value: 0
          - labels: 'source:ingestion_failures_per_run:ratio_15m{{source="Efficy",entreprise="akonovia",zone="1-Raw"}}'
            value: 0
          - labels: 'source:ingestion_failures_per_run:ratio_15m{{source="EasyProjects",entreprise="akonovia",zone="1-Raw"}}'
            value: 0
          - labels: 'source:ingestion_failures_per_run:ratio_15m{{source="zohobooks",entreprise="akonovia",zone="1-Raw"}}'
            value: 0
      # Every source has a p95 duration (its first runs count), all far below the 60 s floor.
      - expr: count(source:ingestion_duration_seconds:p95_15m <= 5)
        eval_time: 61m
        exp_samples:
          - labels: '{{}}'
            value: 5
      - expr: count(source_objet:ingestion_duration_seconds:p95_15m)
        eval_time: 61m
        exp_samples:
          - labels: '{{}}'
            value: 72
      - expr: count(source:ingestion_memory_usage_bytes:p95_1h < 26214400) + count(source:ingestion_cpu_usage_seconds:p95_1h <= 0.5)
        eval_time: 61m
        exp_samples:
          - labels: '{{}}'
            value: 10
      # 15 min after the ingestion the runs have left the 15-min window: no ratio (no 0/0), no p95.
      - expr: job:ingestion_failures_per_run:ratio_15m or source:ingestion_duration_seconds:p95_15m
        eval_time: 76m
        exp_samples: []
"""
open(os.path.join(ROOT, 'prometheus-rules', 'tests', 'sample-scenario.yml'), 'w').write(doc)
