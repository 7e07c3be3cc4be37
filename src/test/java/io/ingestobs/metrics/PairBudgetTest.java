package io.ingestobs.metrics;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.testsupport.LogCapture;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** METRICS_MAX_PAIRS (SPEC §4): the pairs with series of their own are bounded, every run is still counted. */
class PairBudgetTest {

    private static final Instant T = Instant.parse("2025-09-15T10:30:00Z");
    private static final String OTHER = LabelCardinalityLimiter.OTHER;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
    private final LogCapture capture = new LogCapture(PairBudget.class.getName(), Level.WARN);
    private final List<String> warnings = capture.messages();

    @BeforeEach
    void captureWarnings() {
        capture.start();
    }

    @AfterEach
    void releaseWarnings() {
        capture.stop();
    }

    private RunMetrics metrics(int maxPairs) {
        return new RunMetrics(registry, new LabelCardinalityLimiter(2000), new PairBudget(maxPairs));
    }

    private IngestionEvent run(String source, String objet, String etat, double duree) {
        return restructurer.restructure(new RunRecord(1L, source, objet, "job", etat, T.minusSeconds(2), T, duree,
                0.2, 8_000_000L, "message", "1-Raw", "akonovia"));
    }

    private IngestionEvent run(String source, String objet, String etat) {
        return run(source, objet, etat, 1.5);
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    private static double sum(PrometheusText s, String name, Map<String, String> labels) {
        return s.all(name, labels).stream().mapToDouble(PrometheusText.Sample::value).sum();
    }

    /** The one sample of {@code name} whose labels include {@code labels}. */
    private static double one(PrometheusText s, String name, Map<String, String> labels) {
        List<PrometheusText.Sample> found = s.all(name, labels);
        assertEquals(1, found.size(), name + labels + ": " + found);
        return found.get(0).value();
    }

    private static Set<String> objets(PrometheusText s, String name) {
        return s.all(name, Map.of()).stream().map(sample -> sample.labels().get("source") + "/"
                + sample.labels().get("objet")).collect(Collectors.toSet());
    }

    @Test
    void pastTheBudgetANewPairsRunsAreCountedUnderOtherOfTheirSource() {
        RunMetrics metrics = metrics(2);
        metrics.record(run("PowerBI", "workspaces", "SUCCESS", 1.0));
        metrics.record(run("PowerBI", "datasets", "SUCCESS", 2.0));
        metrics.record(run("PowerBI", "reports", "FAILED", 40.0));
        metrics.record(run("PowerBI", "dashboards", "SUCCESS", 700.0));
        metrics.record(run("Efficy", "Project", "FAILED", 3.0));

        PrometheusText s = scrape();
        for (String family : List.of("ingestion_runs_total", "ingestion_failures_total",
                "ingestion_duration_seconds_count", "ingestion_cpu_usage_seconds_count",
                "ingestion_memory_usage_bytes_count", "ingestion_last_run_success",
                "ingestion_recovery_seconds_count")) {
            assertEquals(Set.of("PowerBI/workspaces", "PowerBI/datasets", "PowerBI/" + OTHER, "Efficy/" + OTHER),
                    objets(s, family), family);
        }
        // reports (FAILED) and dashboards (SUCCESS) under __other__
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("source", "PowerBI", "objet", OTHER,
                "etat", "SUCCESS")));
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("source", "PowerBI", "objet", OTHER,
                "etat", "FAILED")));
        // per source, every family still adds up to the runs the source had
        assertEquals(4.0, sum(s, "ingestion_runs_total", Map.of("source", "PowerBI")));
        assertEquals(1.0, sum(s, "ingestion_runs_total", Map.of("source", "Efficy")));
        assertEquals(1.0, sum(s, "ingestion_failures_total", Map.of("source", "PowerBI")));
        assertEquals(1.0, sum(s, "ingestion_failures_total", Map.of("source", "Efficy")));
        assertEquals(4.0, sum(s, "ingestion_duration_seconds_count", Map.of("source", "PowerBI")));
        assertEquals(743.0, sum(s, "ingestion_duration_seconds_sum", Map.of("source", "PowerBI")));
        assertEquals(1.0, one(s, "ingestion_duration_seconds_bucket", Map.of("source", "PowerBI", "objet", OTHER,
                "le", "60.0")), "the 40 s run, bucketed as before");
        assertEquals(T.getEpochSecond(), one(s, "ingestion_last_run_timestamp", Map.of("source", "Efficy")),
                "a source whose only pair was folded is still fresh");

        assertEquals(2.0, one(s, "ingestion_metric_pairs", Map.of()));
        assertEquals(3.0, one(s, "ingestion_pairs_folded_total", Map.of()));
        assertEquals(2, metrics.budget().pairs());
        assertEquals(3, metrics.budget().foldedRuns());
    }

    @Test
    void pairsAdmittedBeforeTheBudgetWasSpentKeepTheirSeriesAndNewStates() {
        RunMetrics metrics = metrics(1);
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));
        metrics.record(run("PowerBI", "datasets", "SUCCESS"));
        metrics.record(run("PowerBI", "workspaces", "FAILED"));
        metrics.record(run("PowerBI", "workspaces", "RUNNING"));
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));

        PrometheusText s = scrape();
        assertEquals(2.0, one(s, "ingestion_runs_total", Map.of("objet", "workspaces", "etat", "SUCCESS")));
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("objet", "workspaces", "etat", "FAILED")));
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("objet", "workspaces", "etat", "RUNNING")));
        assertEquals(1.0, one(s, "ingestion_failures_total", Map.of("objet", "workspaces")));
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("objet", OTHER)));
        assertEquals(1.0, one(s, "ingestion_pairs_folded_total", Map.of()), "only the datasets run was folded");
    }

    @Test
    void aPairIsASourceObjetInOneEntrepriseAndZoneAsItsSeriesAre() {
        RunMetrics metrics = metrics(2);
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));
        metrics.record(restructurer.restructure(new RunRecord(1L, "PowerBI", "workspaces", "job", "SUCCESS",
                T.minusSeconds(2), T, 1.5, 0.2, 8_000_000L, "message", "2-Curated", "akonovia")));
        metrics.record(run("Efficy", "Project", "SUCCESS"));

        PrometheusText s = scrape();
        assertEquals(2.0, one(s, "ingestion_metric_pairs", Map.of()));
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("source", "Efficy", "objet", OTHER)),
                "the two zones of PowerBI/workspaces took the two places");
    }

    @Test
    void objetsTheLabelLimitFoldedTakeNoPlaceInTheBudget() {
        RunMetrics metrics = new RunMetrics(registry, new LabelCardinalityLimiter(1), new PairBudget(1));
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));
        metrics.record(run("PowerBI", "datasets", "SUCCESS"));

        PrometheusText s = scrape();
        assertEquals(1.0, one(s, "ingestion_metric_pairs", Map.of()));
        assertEquals(0.0, one(s, "ingestion_pairs_folded_total", Map.of()),
                "datasets was folded by LABEL_CARDINALITY_LIMIT, not by the budget");
        assertEquals(1.0, one(s, "ingestion_runs_total", Map.of("objet", OTHER)));
    }

    @Test
    void theFirstOverflowIsLoggedOnceWithWhatToDo() {
        RunMetrics metrics = metrics(1);
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));
        assertEquals(List.of(), warnings, "nothing to say within the budget");
        for (int i = 0; i < 50; i++) {
            metrics.record(run("PowerBI", "objet-" + i, "SUCCESS"));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.contains("METRICS_MAX_PAIRS (1)") && warning.contains("__other__")
                && warning.contains("raise METRICS_MAX_PAIRS") && warning.contains("objet-0"), warning);
        assertEquals(50, metrics.budget().foldedRuns());
    }

    @Test
    void manyThreadsMeetingNewPairsAdmitExactlyTheBudgetAndCountEveryRun() throws Exception {
        RunMetrics metrics = metrics(1000);
        int threads = 4;
        int pairsPerThread = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    // every thread meets the same pairs in the same order, racing for their admission
                    for (int i = 0; i < pairsPerThread; i++) {
                        metrics.record(run("src-" + (i % 7), "objet-" + i, "SUCCESS"));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        PrometheusText s = scrape();
        assertEquals(1000.0, one(s, "ingestion_metric_pairs", Map.of()));
        long own = s.all("ingestion_failures_total", Map.of()).stream()
                .filter(sample -> !OTHER.equals(sample.labels().get("objet"))).count();
        assertEquals(1000, own);
        assertEquals((double) threads * pairsPerThread, sum(s, "ingestion_runs_total", Map.of()));
        assertEquals((double) threads * (pairsPerThread - 1000), one(s, "ingestion_pairs_folded_total", Map.of()));
        for (int source = 0; source < 7; source++) {
            int k = source;
            long perThread = IntStream.range(0, pairsPerThread).filter(i -> i % 7 == k).count();
            assertEquals((double) threads * perThread, sum(s, "ingestion_runs_total", Map.of("source", "src-" + k)));
        }
    }

    @Test
    void theFastExpositionShowsTheSameFoldedSeries() throws Exception {
        RunMetrics metrics = metrics(3);
        for (int i = 0; i < 20; i++) {
            metrics.record(run("src-" + (i % 2), "objet-" + i, i % 5 == 0 ? "FAILED" : "SUCCESS"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.exposition().write(out, ExpositionFormat.PROMETHEUS_TEXT);
        PrometheusText fast = PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
        assertEquals(Set.of("src-0/objet-0", "src-1/objet-1", "src-0/objet-2", "src-0/" + OTHER, "src-1/" + OTHER),
                objets(fast, "ingestion_failures_total"));
        assertEquals(10.0, sum(fast, "ingestion_runs_total", Map.of("source", "src-0")));
        assertEquals(10.0, sum(fast, "ingestion_runs_total", Map.of("source", "src-1")));
        assertEquals(4.0, sum(fast, "ingestion_failures_total", Map.of()));
    }

    @Test
    void aPairKeepsSuccessFailedAndAFewStatesTheRestAreCountedUnderOtherState() {
        RunMetrics metrics = metrics(10);
        for (int i = 0; i < 20; i++) {
            metrics.record(run("PowerBI", "workspaces", "MESSAGE " + i));
        }
        metrics.record(run("PowerBI", "workspaces", "FAILED"));
        metrics.record(run("PowerBI", "workspaces", "SUCCESS"));
        metrics.record(run("PowerBI", "workspaces", "MESSAGE 0"));

        PrometheusText s = scrape();
        Set<String> etats = s.all("ingestion_runs_total", Map.of()).stream().map(x -> x.labels().get("etat"))
                .collect(Collectors.toSet());
        assertEquals(PairSeries.MAX_OTHER_STATES + 3, etats.size(), etats.toString());
        assertTrue(etats.containsAll(Set.of("SUCCESS", "FAILED", OTHER, "MESSAGE 0")), etats.toString());
        assertEquals(2.0, one(s, "ingestion_runs_total", Map.of("etat", "MESSAGE 0")));
        assertEquals(20.0 - PairSeries.MAX_OTHER_STATES, one(s, "ingestion_runs_total", Map.of("etat", OTHER)));
        assertEquals(23.0, sum(s, "ingestion_runs_total", Map.of("source", "PowerBI", "objet", "workspaces")));
        assertEquals(1.0, one(s, "ingestion_failures_total", Map.of()));
        assertEquals(1, warnings.stream().filter(w -> w.contains("more than " + PairSeries.MAX_OTHER_STATES
                + " states")).count(), warnings.toString());
    }

    @Test
    void overflowPairsAreBoundedTooPastThemEntrepriseAndZoneFoldAndTheSourceStaysExact() {
        RunMetrics metrics = metrics(20);
        for (int i = 0; i < 40; i++) {
            metrics.record(restructurer.restructure(new RunRecord(1L, "PowerBI", "objet-" + i, "job", "SUCCESS",
                    T.minusSeconds(2), T, 1.5, 0.2, 8_000_000L, "message", "zone-" + i, "tenant-" + i)));
        }
        PrometheusText s = scrape();
        List<PrometheusText.Sample> pairs = s.all("ingestion_failures_total", Map.of());
        assertEquals(20, pairs.stream().filter(p -> !OTHER.equals(p.labels().get("objet"))).count());
        assertEquals(2, pairs.stream().filter(p -> OTHER.equals(p.labels().get("objet"))
                && !OTHER.equals(p.labels().get("zone"))).count(), "overflow pairs: a tenth of the budget");
        assertEquals(1, pairs.stream().filter(p -> OTHER.equals(p.labels().get("zone"))).count());
        assertEquals(18.0, one(s, "ingestion_runs_total", Map.of("objet", OTHER, "entreprise", OTHER, "zone", OTHER)));
        assertEquals(40.0, sum(s, "ingestion_runs_total", Map.of("source", "PowerBI")));
        assertEquals(20.0, one(s, "ingestion_pairs_folded_total", Map.of()));
    }

    @Test
    void aBudgetBelowOneIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PairBudget(0));
        assertTrue(e.getMessage().contains("METRICS_MAX_PAIRS"), e.getMessage());
    }
}
