package io.ingestobs.metrics;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunMetricsTest {

    private static final Instant T = Instant.parse("2025-09-15T10:30:00Z");
    private static final String ZONE = "1-Raw";
    private static final String ENTREPRISE = "akonovia";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RunMetrics metrics = new RunMetrics(registry, new LabelCardinalityLimiter(2000));
    private final EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);

    private IngestionEvent run(String source, String objet, String etat, Instant end, double duree, double cpu,
                               long memory) {
        return restructurer.restructure(new RunRecord(1224L, source, objet, "job", etat,
                end.minusMillis((long) (duree * 1000)), end, duree, cpu, memory, "message", ZONE, ENTREPRISE));
    }

    private IngestionEvent run(String source, String objet, String etat, Instant end) {
        return run(source, objet, etat, end, 1.5, 0.2, 8_000_000L);
    }

    private void record(IngestionEvent... events) {
        for (IngestionEvent event : events) {
            metrics.record(event);
        }
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    private static Map<String, String> labels(String... keyValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            labels.put(keyValues[i], keyValues[i + 1]);
        }
        return labels;
    }

    private static Map<String, String> pair(String source, String objet) {
        return labels("source", source, "objet", objet, "entreprise", ENTREPRISE, "zone", ZONE);
    }

    private static Map<String, String> runs(String source, String objet, String etat) {
        Map<String, String> labels = pair(source, objet);
        labels.put("etat", etat);
        return labels;
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return copy;
    }

    // --- ingestion_runs_total / ingestion_failures_total -------------------------------------------------------

    @Test
    void runsAreCountedPerEtatWithTheSpecsLabels() {
        record(run("PowerBI", "workspaces", "SUCCESS", T), run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(60)),
                run("PowerBI", "workspaces", "FAILED", T.plusSeconds(120)),
                run("PowerBI", "workspaces", "RUNNING", T.plusSeconds(180)),
                run("Efficy", "Project", "SUCCESS", T));
        PrometheusText s = scrape();
        assertEquals(2.0, s.value("ingestion_runs_total", runs("PowerBI", "workspaces", "SUCCESS")));
        assertEquals(1.0, s.value("ingestion_runs_total", runs("PowerBI", "workspaces", "FAILED")));
        assertEquals(1.0, s.value("ingestion_runs_total", runs("PowerBI", "workspaces", "RUNNING")));
        assertEquals(1.0, s.value("ingestion_runs_total", runs("Efficy", "Project", "SUCCESS")));
        List<PrometheusText.Sample> all = s.all("ingestion_runs_total", Map.of());
        assertEquals(4, all.size());
        for (PrometheusText.Sample sample : all) {
            assertEquals(Set.of("source", "etat", "objet", "entreprise", "zone"), sample.labels().keySet());
        }
    }

    @Test
    void failuresExistAtZeroFromThePairsFirstRunAndCountFailures() {
        record(run("PowerBI", "workspaces", "SUCCESS", T));
        PrometheusText before = scrape();
        assertEquals(0.0, before.value("ingestion_failures_total", pair("PowerBI", "workspaces")));
        assertEquals(Set.of("source", "objet", "entreprise", "zone"),
                before.find("ingestion_failures_total", pair("PowerBI", "workspaces")).orElseThrow()
                        .labels().keySet());

        record(run("PowerBI", "workspaces", "FAILED", T.plusSeconds(60)));
        assertEquals(1.0, scrape().value("ingestion_failures_total", pair("PowerBI", "workspaces")));

        record(run("PowerBI", "workspaces", "RUNNING", T.plusSeconds(120)),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(180)));
        assertEquals(1.0, scrape().value("ingestion_failures_total", pair("PowerBI", "workspaces")),
                "only FAILED is a failure");
    }

    @Test
    void aFirstRunThatFailsIsCountedAtOnce() {
        record(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_failures_total", pair("sharepoint_graph", "EventFactureApplication")));
        assertEquals(1.0, s.value("ingestion_runs_total", runs("sharepoint_graph", "EventFactureApplication",
                "FAILED")));
    }

    @Test
    void missingZoneAndEntrepriseAreLabelledUnknown() {
        record(restructurer.restructure(new RunRecord(null, "PowerBI", "workspaces", null, "SUCCESS", null, T,
                null, null, null, null, null, null)));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_runs_total", labels("source", "PowerBI", "etat", "SUCCESS",
                "objet", "workspaces", "entreprise", "unknown", "zone", "unknown")));
        assertEquals(T.getEpochSecond(), s.value("ingestion_last_run_timestamp",
                labels("source", "PowerBI", "entreprise", "unknown", "zone", "unknown")));
    }

    @Test
    void labelsPastTheCardinalityLimitFoldIntoOther() {
        RunMetrics limited = new RunMetrics(registry, new LabelCardinalityLimiter(1));
        limited.record(run("PowerBI", "workspaces", "SUCCESS", T));
        limited.record(run("PowerBI", "reports", "SUCCESS", T));
        limited.record(run("PowerBI", "datasets", "SUCCESS", T));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_runs_total", runs("PowerBI", "workspaces", "SUCCESS")));
        assertEquals(2.0, s.value("ingestion_runs_total", runs("PowerBI", "__other__", "SUCCESS")));
    }

    // --- histograms --------------------------------------------------------------------------------------------

    private static Map<String, Double> buckets(PrometheusText s, String name, Map<String, String> labels) {
        Map<String, Double> buckets = new LinkedHashMap<>();
        for (PrometheusText.Sample sample : s.all(name + "_bucket", labels)) {
            buckets.put(sample.labels().get("le"), sample.value());
        }
        return buckets;
    }

    private static List<String> edges(double[] bounds) {
        List<String> edges = new ArrayList<>();
        for (double bound : bounds) {
            edges.add(Double.toString(bound));
        }
        edges.add("+Inf");
        return edges;
    }

    @Test
    void durationIsAHistogramWithBucketsSumAndCount() {
        record(run("PowerBI", "workspaces", "SUCCESS", T, 1.5, 0.2, 8_000_000L),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(60), 45.0, 0.2, 8_000_000L),
                run("PowerBI", "workspaces", "FAILED", T.plusSeconds(120), 4000.0, 0.2, 8_000_000L));
        PrometheusText s = scrape();
        Map<String, String> pair = pair("PowerBI", "workspaces");
        Map<String, Double> buckets = buckets(s, "ingestion_duration_seconds", pair);
        assertEquals(List.of("0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0", "120.0", "300.0", "600.0",
                "1800.0", "3600.0", "+Inf"), List.copyOf(buckets.keySet()));
        assertEquals(edges(RunMetrics.DURATION_BUCKETS), List.copyOf(buckets.keySet()));
        assertEquals(0.0, buckets.get("1.0"));
        assertEquals(1.0, buckets.get("2.5"));
        assertEquals(1.0, buckets.get("30.0"));
        assertEquals(2.0, buckets.get("60.0"));
        assertEquals(2.0, buckets.get("3600.0"));
        assertEquals(3.0, buckets.get("+Inf"));
        assertEquals(4046.5, s.value("ingestion_duration_seconds_sum", pair), 1e-9);
        assertEquals(3.0, s.value("ingestion_duration_seconds_count", pair));
        for (PrometheusText.Sample sample : s.all("ingestion_duration_seconds_bucket", Map.of())) {
            assertEquals(Set.of("source", "objet", "entreprise", "zone", "le"), sample.labels().keySet());
        }
    }

    @Test
    void cpuAndMemoryAreHistogramsWithTheAlertThresholdsAsEdges() {
        record(run("PowerBI", "workspaces", "SUCCESS", T, 1.5, 0.2, 157_286_400L),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(60), 1.5, 60.5, 157_286_401L));
        PrometheusText s = scrape();
        Map<String, String> pair = pair("PowerBI", "workspaces");

        Map<String, Double> memory = buckets(s, "ingestion_memory_usage_bytes", pair);
        assertEquals(edges(RunMetrics.MEMORY_BUCKETS), List.copyOf(memory.keySet()));
        assertEquals(1.0, memory.get(Double.toString(157_286_400.0)), "150 MiB is an edge: exactly 150 MiB is in");
        assertEquals(2.0, memory.get("+Inf"));
        assertEquals(314_572_801.0, s.value("ingestion_memory_usage_bytes_sum", pair));
        assertEquals(2.0, s.value("ingestion_memory_usage_bytes_count", pair));

        Map<String, Double> cpu = buckets(s, "ingestion_cpu_usage_seconds", pair);
        assertEquals(edges(RunMetrics.CPU_BUCKETS), List.copyOf(cpu.keySet()));
        assertEquals(1.0, cpu.get("60.0"));
        assertEquals(2.0, cpu.get("120.0"));
        assertEquals(60.7, s.value("ingestion_cpu_usage_seconds_sum", pair), 1e-9);
        assertEquals(2.0, s.value("ingestion_cpu_usage_seconds_count", pair));
    }

    @Test
    void absentFiguresAreNotRecordedAsZero() {
        record(restructurer.restructure(new RunRecord(null, "PowerBI", "workspaces", null, "SUCCESS", null, T,
                null, null, null, null, ZONE, ENTREPRISE)));
        PrometheusText s = scrape();
        Map<String, String> pair = pair("PowerBI", "workspaces");
        assertEquals(0.0, s.value("ingestion_duration_seconds_count", pair));
        assertEquals(0.0, s.value("ingestion_cpu_usage_seconds_count", pair));
        assertEquals(0.0, s.value("ingestion_memory_usage_bytes_count", pair));
        assertEquals(1.0, s.value("ingestion_runs_total", runs("PowerBI", "workspaces", "SUCCESS")));
    }

    // --- ingestion_last_run_timestamp --------------------------------------------------------------------------

    @Test
    void lastRunTimestampIsTheNewestEndAndNeverMovesBack() {
        Map<String, String> source = labels("source", "PowerBI", "entreprise", ENTREPRISE, "zone", ZONE);
        record(run("PowerBI", "workspaces", "SUCCESS", T));
        assertEquals(T.getEpochSecond(), scrape().value("ingestion_last_run_timestamp", source));

        record(run("PowerBI", "reports", "SUCCESS", T.plusSeconds(600)));
        assertEquals(T.getEpochSecond() + 600, scrape().value("ingestion_last_run_timestamp", source));

        record(run("PowerBI", "workspaces", "FAILED", T.minusSeconds(3600)));
        PrometheusText s = scrape();
        assertEquals(T.getEpochSecond() + 600, s.value("ingestion_last_run_timestamp", source),
                "an older run arriving later must not move the gauge back");
        assertEquals(1, s.all("ingestion_last_run_timestamp", Map.of()).size(), "one series per source");
        assertEquals(Set.of("source", "entreprise", "zone"),
                s.find("ingestion_last_run_timestamp", source).orElseThrow().labels().keySet());
    }

    @Test
    void lastRunTimestampIsInSecondsWithMillis() {
        Instant end = Instant.parse("2025-09-15T10:30:00.846Z");
        record(run("PowerBI", "workspaces", "SUCCESS", end));
        assertEquals(end.toEpochMilli() / 1000.0, scrape().value("ingestion_last_run_timestamp",
                labels("source", "PowerBI", "entreprise", ENTREPRISE, "zone", ZONE)), 1e-6);
    }

    @Test
    void lastRunTimestampIsPerSource() {
        record(run("PowerBI", "workspaces", "SUCCESS", T), run("Efficy", "Project", "SUCCESS", T.plusSeconds(60)));
        PrometheusText s = scrape();
        assertEquals(T.getEpochSecond(), s.value("ingestion_last_run_timestamp",
                labels("source", "PowerBI", "entreprise", ENTREPRISE, "zone", ZONE)));
        assertEquals(T.getEpochSecond() + 60, s.value("ingestion_last_run_timestamp",
                labels("source", "Efficy", "entreprise", ENTREPRISE, "zone", ZONE)));
    }

    // --- ingestion_last_run_success ----------------------------------------------------------------------------

    @Test
    void lastRunSuccessFollowsTheNewestRunByEndTime() {
        Map<String, String> pair = pair("PowerBI", "workspaces");
        record(run("PowerBI", "workspaces", "SUCCESS", T));
        assertEquals(1.0, scrape().value("ingestion_last_run_success", pair));

        record(run("PowerBI", "workspaces", "FAILED", T.plusSeconds(60)));
        assertEquals(0.0, scrape().value("ingestion_last_run_success", pair));

        record(run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(120)));
        assertEquals(1.0, scrape().value("ingestion_last_run_success", pair));
    }

    @Test
    void anOlderFailureArrivingAfterANewerSuccessLeavesItAtOne() {
        Map<String, String> pair = pair("sharepoint_graph", "EventFactureApplication");
        record(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T));
        record(run("sharepoint_graph", "EventFactureApplication", "FAILED", T.minusSeconds(600)));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_last_run_success", pair));
        assertEquals(1.0, s.value("ingestion_failures_total", pair), "the late failure is still counted");
    }

    @Test
    void anOlderSuccessArrivingAfterANewerFailureLeavesItAtZero() {
        Map<String, String> pair = pair("sharepoint_graph", "EventFactureApplication");
        record(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        record(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.minusSeconds(600)));
        assertEquals(0.0, scrape().value("ingestion_last_run_success", pair));
    }

    @Test
    void aRunningRunDoesNotChangeTheLastState() {
        Map<String, String> pair = pair("PowerBI", "workspaces");
        record(run("PowerBI", "workspaces", "FAILED", T), run("PowerBI", "workspaces", "RUNNING", T.plusSeconds(60)));
        assertEquals(0.0, scrape().value("ingestion_last_run_success", pair));
    }

    @Test
    void lastRunSuccessIsPerPair() {
        record(run("PowerBI", "workspaces", "SUCCESS", T), run("PowerBI", "reports", "FAILED", T.plusSeconds(60)));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_last_run_success", pair("PowerBI", "workspaces")));
        assertEquals(0.0, s.value("ingestion_last_run_success", pair("PowerBI", "reports")));
        assertEquals(2, s.all("ingestion_last_run_success", Map.of()).size());
    }

    // --- ingestion_recovery_seconds ----------------------------------------------------------------------------

    private static Map<String, String> recovery(String source, String objet) {
        return labels("source", source, "objet", objet);
    }

    @Test
    void recoveryIsFailureEndToNextSuccessEnd() {
        record(run("sharepoint_graph", "EventFactureApplication", "FAILED", T),
                run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(600)));
        PrometheusText s = scrape();
        Map<String, String> key = recovery("sharepoint_graph", "EventFactureApplication");
        assertEquals(600.0, s.value("ingestion_recovery_seconds_sum", key));
        assertEquals(1.0, s.value("ingestion_recovery_seconds_count", key));
        Map<String, Double> buckets = buckets(s, "ingestion_recovery_seconds", key);
        assertEquals(edges(RunMetrics.RECOVERY_BUCKETS), List.copyOf(buckets.keySet()));
        assertEquals(0.0, buckets.get("300.0"));
        assertEquals(1.0, buckets.get("900.0"));
        assertEquals(Set.of("source", "objet", "le"),
                s.all("ingestion_recovery_seconds_bucket", key).get(0).labels().keySet());
    }

    @Test
    void aStreakIsMeasuredFromItsFirstFailure() {
        record(run("PowerBI", "workspaces", "FAILED", T),
                run("PowerBI", "workspaces", "FAILED", T.plusSeconds(300)),
                run("PowerBI", "workspaces", "RUNNING", T.plusSeconds(400)),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(900)),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(1200)));
        PrometheusText s = scrape();
        Map<String, String> key = recovery("PowerBI", "workspaces");
        assertEquals(900.0, s.value("ingestion_recovery_seconds_sum", key));
        assertEquals(1.0, s.value("ingestion_recovery_seconds_count", key), "the second success ends no streak");

        record(run("PowerBI", "workspaces", "FAILED", T.plusSeconds(2000)),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(2060)));
        s = scrape();
        assertEquals(960.0, s.value("ingestion_recovery_seconds_sum", key));
        assertEquals(2.0, s.value("ingestion_recovery_seconds_count", key));
    }

    @Test
    void successesWithoutFailureRecordNoRecovery() {
        record(run("PowerBI", "workspaces", "SUCCESS", T), run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(60)));
        assertEquals(0.0, scrape().value("ingestion_recovery_seconds_count", recovery("PowerBI", "workspaces")));
    }

    @Test
    void recoveryIsPerSourceAndObjet() {
        record(run("PowerBI", "workspaces", "FAILED", T),
                run("PowerBI", "reports", "SUCCESS", T.plusSeconds(60)),
                run("Efficy", "workspaces", "SUCCESS", T.plusSeconds(120)));
        PrometheusText s = scrape();
        assertEquals(0.0, s.value("ingestion_recovery_seconds_count", recovery("PowerBI", "workspaces")));
        assertEquals(0.0, s.value("ingestion_recovery_seconds_count", recovery("PowerBI", "reports")));
        assertEquals(0.0, s.value("ingestion_recovery_seconds_count", recovery("Efficy", "workspaces")));

        record(run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(1800)));
        assertEquals(1800.0, scrape().value("ingestion_recovery_seconds_sum", recovery("PowerBI", "workspaces")));
    }

    @Test
    void aSuccessOlderThanTheFailureDoesNotEndTheStreak() {
        record(run("PowerBI", "workspaces", "FAILED", T),
                run("PowerBI", "workspaces", "SUCCESS", T.minusSeconds(60)));
        Map<String, String> key = recovery("PowerBI", "workspaces");
        assertEquals(0.0, scrape().value("ingestion_recovery_seconds_count", key));
        record(run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(600)));
        assertEquals(600.0, scrape().value("ingestion_recovery_seconds_sum", key));
    }

    @Test
    void aLateFailureOlderThanTheNewestSuccessOpensNoStreak() {
        Map<String, String> key = recovery("PowerBI", "workspaces");
        record(run("PowerBI", "workspaces", "FAILED", T),
                run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(600)));
        // a failure that ended before the newest success arrives late: that streak is already over
        record(run("PowerBI", "workspaces", "FAILED", T.plusSeconds(300)));
        record(run("PowerBI", "workspaces", "SUCCESS", T.plusSeconds(7200)));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_recovery_seconds_count", key));
        assertEquals(600.0, s.value("ingestion_recovery_seconds_sum", key));
    }

    // --- the scrape stays valid text format --------------------------------------------------------------------

    @Test
    void awkwardLabelValuesStillGiveAValidScrape() {
        String source = "Power\"BI\\prod\nline2";
        String objet = "objet with \"quotes\", commas, = and } braces";
        String zone = "zone\\\\two";
        record(restructurer.restructure(new RunRecord(1L, source, objet, "job", "FAILED", T.minusSeconds(2), T,
                        2.0, 0.3, 9_000_000L, "multi\nline \"error\"", zone, "é€ entreprise")),
                restructurer.restructure(new RunRecord(1L, source, objet, "job", "SUCCESS", T, T.plusSeconds(60),
                        60.0, 0.3, 9_000_000L, null, zone, "é€ entreprise")));
        String text = registry.scrape();
        int sampleLines = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            sampleLines++;
            assertTrue(PrometheusText.SAMPLE_LINE.matcher(line).matches(), line);
        }
        assertTrue(sampleLines > 40, "expected the run meters' samples, found " + sampleLines);
        PrometheusText s = PrometheusText.parse(text);
        Map<String, String> pair = labels("source", source, "objet", objet, "entreprise", "é€ entreprise",
                "zone", zone);
        assertEquals(1.0, s.value("ingestion_runs_total", with(pair, "etat", "FAILED")));
        assertEquals(1.0, s.value("ingestion_runs_total", with(pair, "etat", "SUCCESS")));
        assertEquals(1.0, s.value("ingestion_failures_total", pair));
        assertEquals(1.0, s.value("ingestion_last_run_success", pair));
        assertEquals(60.0, s.value("ingestion_recovery_seconds_sum", labels("source", source, "objet", objet)));
    }

    @Test
    void theParserUsedHereRejectsBrokenLines() {
        // guards the test above: an unescaped quote or newline in a label value is not a valid sample
        assertFalse(PrometheusText.SAMPLE_LINE.matcher("m{source=\"Power\"BI\"} 1.0").matches());
        assertFalse(PrometheusText.SAMPLE_LINE.matcher("m{source=\"Power\\BI\"} 1.0").matches());
        assertFalse(PrometheusText.SAMPLE_LINE.matcher("m{source=\"Power").matches());
        assertFalse(PrometheusText.SAMPLE_LINE.matcher("m{source=\"x\"} one").matches());
        assertTrue(PrometheusText.SAMPLE_LINE.matcher("m{source=\"Power\\\"BI\\\\x\\n\"} 1.0").matches());
        assertTrue(PrometheusText.SAMPLE_LINE.matcher("m_bucket{le=\"+Inf\"} 3").matches());
        assertTrue(PrometheusText.SAMPLE_LINE.matcher("m 1.757930402E9").matches());
        assertEquals(Set.of("ingestion_runs_total"), PrometheusText.parse(
                "# HELP ingestion_runs_total Runs\n# TYPE ingestion_runs_total counter\n"
                        + "ingestion_runs_total{source=\"a\\\"b\"} 2.0\n").samples().stream()
                .map(PrometheusText.Sample::name).collect(Collectors.toSet()));
    }

    // --- state restored from runs counted elsewhere (issue 12: state follows the partition) ---------------------

    @Test
    void aRestoredRunShowsItsPairsStateAndCountsNothing() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(1);
        PrometheusMeterRegistry restoredRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics restored = new RunMetrics(restoredRegistry, limiter, new PairBudget(10));
        restored.restore(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        restored.restore(run("sharepoint_graph", "workspaces", "SUCCESS", T.minusSeconds(60)));   // objet folded
        restored.restore(run("sharepoint_graph", "EventFactureApplication", "RUNNING", T.plusSeconds(30)));
        PrometheusText s = PrometheusText.parse(restoredRegistry.scrape());
        Map<String, String> pair = pair("sharepoint_graph", "EventFactureApplication");
        assertEquals(0.0, s.value("ingestion_last_run_success", pair));
        assertEquals(T.getEpochSecond(), s.value("ingestion_pair_last_run_timestamp", pair));
        assertEquals(1.0, s.value("ingestion_last_run_success", pair("sharepoint_graph", "__other__")));
        assertEquals(T.getEpochSecond(), s.value("ingestion_last_run_timestamp",
                labels("entreprise", ENTREPRISE, "source", "sharepoint_graph", "zone", ZONE)));
        for (String counting : List.of("ingestion_runs_total", "ingestion_failures_total",
                "ingestion_duration_seconds_count", "ingestion_cpu_usage_seconds_count",
                "ingestion_memory_usage_bytes_count", "ingestion_label_values_folded_total",
                "ingestion_pairs_folded_total")) {
            assertTrue(s.all(counting, Map.of()).stream().allMatch(sample -> sample.value() == 0),
                    counting + " moved: " + s.all(counting, Map.of()));
        }
        assertTrue(s.all("ingestion_runs_total", Map.of()).isEmpty(), "no zero-valued run counter is made");
        assertTrue(s.all("ingestion_failures_total", Map.of()).isEmpty());
        assertTrue(s.all("ingestion_duration_seconds_sum", Map.of()).isEmpty());
        assertEquals(0.0, s.value("ingestion_recovery_seconds_count",
                labels("objet", "EventFactureApplication", "source", "sharepoint_graph")));
        assertEquals(0, limiter.foldedCount("objet"), "a restored run is not counted as folded");
        assertEquals(1, restored.budget().pairs(), "the restored pair keeps its place; __other__ takes none");
    }

    @Test
    void theFirstSuccessCountedAfterARestoredFailureMeasuresTheRecoveryOnce() {
        Map<String, String> objet = labels("objet", "EventFactureApplication", "source", "sharepoint_graph");
        Map<String, String> pair = pair("sharepoint_graph", "EventFactureApplication");
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "FAILED", T.plusSeconds(60)));
        record(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(600)));
        PrometheusText s = scrape();
        assertEquals(1.0, s.value("ingestion_recovery_seconds_count", objet));
        assertEquals(600.0, s.value("ingestion_recovery_seconds_sum", objet), "from the first failure of the streak");
        assertEquals(1.0, s.value("ingestion_last_run_success", pair));
        assertEquals(T.plusSeconds(600).getEpochSecond(), s.value("ingestion_pair_last_run_timestamp", pair));
        assertEquals(0.0, s.value("ingestion_failures_total", pair), "the restored failures were not counted here");
        assertEquals(1.0, s.value("ingestion_runs_total", labels("source", "sharepoint_graph", "etat", "SUCCESS",
                "objet", "EventFactureApplication", "entreprise", ENTREPRISE, "zone", ZONE)));
        assertTrue(s.find("ingestion_runs_total", labels("etat", "FAILED")).isEmpty());

        // the same runs read back again (the partition came back) measure nothing more
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(600)));
        record(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(900)));
        assertEquals(1.0, scrape().value("ingestion_recovery_seconds_count", objet));
    }

    @Test
    void aStreakReadBackWhole_failureThenSuccess_isNotMeasuredAgain() {
        Map<String, String> objet = labels("objet", "EventFactureApplication", "source", "sharepoint_graph");
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "FAILED", T));
        metrics.restore(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(300)));
        record(run("sharepoint_graph", "EventFactureApplication", "SUCCESS", T.plusSeconds(900)));
        assertEquals(0.0, scrape().value("ingestion_recovery_seconds_count", objet),
                "the previous owner measured that recovery");
        assertEquals(1.0, scrape().value("ingestion_last_run_success", pair("sharepoint_graph",
                "EventFactureApplication")));
    }
}
