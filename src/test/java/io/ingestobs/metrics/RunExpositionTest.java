package io.ingestobs.metrics;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The exposition GET /metrics writes for the run meters against the one it replaces: Micrometer's meters
 * ({@link MicrometerRunMetrics}, the code of before) fed the same runs. Compared line by line, so names, labels,
 * their order and escaping, and how each value is written are all held. Two differences are intended: Micrometer's
 * {@code ingestion_*_max} gauges are gone (no rule, panel or test reads them; docs/benchmark.md), and a value is
 * counted in the buckets whose edge it does not exceed, where Micrometer rounded it up to a whole number first;
 * the buckets of the edges that are not whole (0.1, 0.25, 0.5, 2.5) are checked against the runs themselves.
 */
class RunExpositionTest {

    private static final Instant T0 = Instant.parse("2025-09-15T08:00:00Z");
    private static final String[] ETATS = {"SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "RUNNING"};
    private static final String EMOJI = "\uD83D\uDE00";
    private static final double MIB = 1_048_576;

    private final EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);

    // --- runs --------------------------------------------------------------------------------------------------

    /**
     * {@code count} runs over {@code sources × objets}: every etat, late arrivals, and figures that are whole,
     * fractional, exactly on a bucket edge, just above one, zero, negative, absent, infinite or huge.
     */
    private List<IngestionEvent> mixedRuns(long seed, int count, List<String> sources, List<String> objets) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] edges = {0.1, 0.25, 0.5, 1, 2.5, 60, 3600, 150 * MIB, 4096 * MIB};
        List<IngestionEvent> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String source = sources.get(random.nextInt(sources.size()));
            String objet = objets.get(random.nextInt(objets.size()));
            String etat = ETATS[random.nextInt(ETATS.length)];
            // mostly in order, sometimes an hour late, sometimes the same end as another run
            Instant end = T0.plusSeconds(i * 30L).minusSeconds(random.nextInt(10) == 0 ? 3600 : 0)
                    .plusMillis(random.nextInt(1000));
            runs.add(restructurer.restructure(new RunRecord((long) i, source, objet, "job", etat,
                    end.minusSeconds(5), end, figure(random, edges, 5000), figure(random, edges, 400),
                    memory(random), "run " + i, i % 7 == 0 ? null : "1-Raw", i % 11 == 0 ? "" : "akonovia")));
        }
        return runs;
    }

    private static Double figure(SplittableRandom random, double[] edges, double scale) {
        return switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> edges[random.nextInt(edges.length)];
            case 2 -> Math.nextUp(edges[random.nextInt(edges.length)]);
            case 3 -> 0.0;
            case 4 -> -1.5;
            case 5 -> random.nextInt(50) == 0 ? Double.POSITIVE_INFINITY : 1e12;
            case 6 -> (double) random.nextInt(100);
            default -> random.nextDouble() * (random.nextBoolean() ? 3 : scale);
        };
    }

    private static Long memory(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> null;
            case 1 -> (long) (150 * MIB);
            case 2 -> (long) (150 * MIB) + 1;
            default -> 1_000_000L + random.nextLong(6_000_000_000L);
        };
    }

    // --- expositions -------------------------------------------------------------------------------------------

    private static String ours(RunMetrics metrics, ExpositionFormat format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            metrics.exposition().write(out, format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The run families' lines of a Micrometer scrape, without the {@code _max} gauges and the final # EOF. */
    private static List<String> runFamilyLines(String scrape) {
        List<String> lines = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.equals("# EOF")) {
                continue;
            }
            String name = line.startsWith("# ") ? line.split(" ")[2] : line.split("[{ ]")[0];
            // the pair budget's own two meters are the registry's, not run families
            if (name.startsWith("ingestion_") && !name.endsWith("_max") && !name.startsWith("ingestion_metric_pairs")
                    && !name.startsWith("ingestion_pairs_folded")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().collect(Collectors.toList());
    }

    private static List<String> lines(String text) {
        assertTrue(text.endsWith("\n"), "an exposition ends with a newline");
        return List.of(text.split("\n"));
    }

    /** Comment lines in order: each family's HELP and TYPE, families in the same order. */
    private static List<String> comments(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("#")).collect(Collectors.toList());
    }

    // --- same as Micrometer ------------------------------------------------------------------------------------

    @Test
    void sameLinesAsMicrometersMetersForTheSameRuns() {
        List<String> sources = List.of("PowerBI", "Efficy", "sharepoint_graph", "EasyProjects", "zohobooks");
        List<String> objets = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            objets.add("obj_" + i);
        }
        assertSameAsMicrometer(mixedRuns(42, 20_000, sources, objets), 40);
    }

    @Test
    void hostileLabelValuesAreEscapedAsMicrometerDidAndReadBackWhole() {
        String longValue = "x".repeat(249) + "é€\"\\\n" + EMOJI;        // 256 chars exactly
        String cutInAnEmoji = "y".repeat(255) + EMOJI + "tail";           // 256 falls inside the emoji
        List<String> sources = List.of("Power\"BI\\prod\nline2", "emoji " + EMOJI + " source", longValue,
                "a,b=c}d{", "back\\\\slashes\\n", "");
        List<String> objets = List.of("objet with \"quotes\"", cutInAnEmoji, "z".repeat(400), "tab\there",
                "crlf\r\nend", "é€ objet", "le=\"0.5\"");
        List<IngestionEvent> runs = mixedRuns(7, 3_000, sources, objets);
        assertSameAsMicrometer(runs, 2000);

        RunMetrics metrics = new RunMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new LabelCardinalityLimiter(2000));
        runs.forEach(metrics::record);
        for (ExpositionFormat format : ExpositionFormat.values()) {
            PrometheusText text = PrometheusText.parse(ours(metrics, format));
            TreeSet<String> seenSources = new TreeSet<>();
            TreeSet<String> seenObjets = new TreeSet<>();
            for (PrometheusText.Sample sample : text.all("ingestion_runs_total", Map.of())) {
                seenSources.add(sample.labels().get("source"));
                seenObjets.add(sample.labels().get("objet"));
            }
            // values come back as the limiter exposed them (at most 256 chars), not mangled by the escaping
            assertEquals(new TreeSet<>(sources), seenSources, format.name());
            assertTrue(seenObjets.contains("objet with \"quotes\"") && seenObjets.contains("crlf\r\nend")
                    && seenObjets.contains("z".repeat(256)), format + " " + seenObjets);
            assertTrue(seenSources.contains(longValue), "a 256-char value with escapes is whole");
        }
    }

    /**
     * Records {@code runs} in both meters and compares both text formats line by line (order aside: both sort
     * families by name, but neither orders series), and the comments in order.
     */
    private void assertSameAsMicrometer(List<IngestionEvent> runs, int cardinalityLimit) {
        PrometheusMeterRegistry before = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerRunMetrics micrometer = new MicrometerRunMetrics(before,
                new LabelCardinalityLimiter(cardinalityLimit));
        PrometheusMeterRegistry after = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = new RunMetrics(after, new LabelCardinalityLimiter(cardinalityLimit));
        for (IngestionEvent run : runs) {
            micrometer.record(run);
            metrics.record(run);
        }
        for (ExpositionFormat format : ExpositionFormat.values()) {
            List<String> expected = runFamilyLines(before.scrape(format.contentType()));
            List<String> actual = lines(ours(metrics, format));
            assertTrue(expected.size() > 1000, "the runs fill the families: " + expected.size() + " lines");
            assertEquals(comments(expected), comments(actual), format + ": families, HELP and TYPE");
            assertSameLines(withoutFractionalEdges(expected), withoutFractionalEdges(actual),
                    format + ": GET /metrics' writer");
            // the slow path, the registry's own scrape, shows the same
            List<String> registry = runFamilyLines(after.scrape(format.contentType()));
            assertSameLines(withoutFractionalEdges(expected), withoutFractionalEdges(registry),
                    format + ": the registry's scrape");
            assertSameLines(actual.stream().filter(l -> !l.startsWith("#")).toList(),
                    registry.stream().filter(l -> !l.startsWith("#")).toList(), format + ": writer and registry");
            assertFractionalEdgesCountTheirRuns(runs, cardinalityLimit, PrometheusText.parse(
                    String.join("\n", actual) + "\n"), format.name());
        }
    }

    private static final Set<String> FRACTIONAL_EDGES = Set.of("0.1", "0.25", "0.5", "2.5");

    /** As a value reads back from the UTF-8 exposition: a lone surrogate (a value cut in an emoji) becomes '?'. */
    private static String utf8(String value) {
        return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /** The lines Micrometer's rounding up does not touch: every one but the buckets of an edge that is not whole. */
    private static List<String> withoutFractionalEdges(List<String> lines) {
        return lines.stream().filter(line -> FRACTIONAL_EDGES.stream()
                .noneMatch(edge -> line.contains("_bucket{") && line.contains("le=\"" + edge + "\""))).toList();
    }

    /**
     * Each duration and CPU bucket of a fractional edge holds exactly the runs of its pair whose figure is at most
     * the edge (negative and missing figures are not observations).
     */
    private static void assertFractionalEdgesCountTheirRuns(List<IngestionEvent> runs, int cardinalityLimit,
                                                           PrometheusText exposition, String what) {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(cardinalityLimit);
        Map<String, Long> expected = new TreeMap<>();
        for (IngestionEvent run : runs) {
            RunLabels labels = limiter.limit(RunLabels.of(run));
            for (String family : List.of("ingestion_duration_seconds", "ingestion_cpu_usage_seconds")) {
                double[] edges = family.startsWith("ingestion_duration") ? RunMetrics.DURATION_BUCKETS
                        : RunMetrics.CPU_BUCKETS;
                for (double edgeValue : edges) {
                    String edge = Double.toString(edgeValue).replaceAll("\\.0$", "");
                    if (!FRACTIONAL_EDGES.contains(edge)) {
                        continue;
                    }
                    Double figure = family.startsWith("ingestion_duration") ? run.dureeSecondes() : run.cpuTimeSec();
                    String key = family + "|" + utf8(labels.source()) + "|" + utf8(labels.objet()) + "|"
                            + utf8(labels.entreprise()) + "|" + utf8(labels.zone()) + "|" + edge;
                    long counted = figure != null && figure >= 0 && figure <= Double.parseDouble(edge) ? 1 : 0;
                    expected.merge(key, counted, Long::sum);
                }
            }
        }
        Map<String, Long> actual = new TreeMap<>();
        for (String family : List.of("ingestion_duration_seconds", "ingestion_cpu_usage_seconds")) {
            for (PrometheusText.Sample sample : exposition.all(family + "_bucket", Map.of())) {
                Map<String, String> l = sample.labels();
                String edge = l.get("le").replaceAll("0+$", "").replaceAll("\\.$", "");
                if (FRACTIONAL_EDGES.contains(edge)) {
                    actual.put(family + "|" + l.get("source") + "|" + l.get("objet") + "|" + l.get("entreprise")
                            + "|" + l.get("zone") + "|" + edge, (long) sample.value());
                }
            }
        }
        assertTrue(expected.values().stream().anyMatch(n -> n > 0), "some runs fall under a fractional edge");
        List<String> differences = new ArrayList<>();
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            if (!Objects.equals(expected.get(key), actual.get(key))) {
                differences.add(key + " expected " + expected.get(key) + " got " + actual.get(key));
            }
        }
        assertTrue(differences.isEmpty(), what + ": buckets of the fractional edges, " + differences.size()
                + " differ, first " + differences.stream().limit(3)
                .map(d -> d.replace("\n", "\\n").replace("\r", "\\r")).toList());
    }

    /** Same lines, series order aside; on failure, says which lines differ rather than printing both whole. */
    private static void assertSameLines(List<String> expected, List<String> actual, String what) {
        Map<String, Integer> balance = new HashMap<>();
        expected.forEach(line -> balance.merge(line, 1, Integer::sum));
        actual.forEach(line -> balance.merge(line, -1, Integer::sum));
        List<String> missing = balance.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted().toList();
        List<String> extra = balance.entrySet().stream().filter(e -> e.getValue() < 0).map(Map.Entry::getKey)
                .sorted().toList();
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail(what + ": " + missing.size() + " lines missing, " + extra.size() + " extra; first missing "
                    + missing.stream().limit(5).toList() + ", first extra " + extra.stream().limit(5).toList());
        }
        assertEquals(sorted(expected), sorted(actual), what);
    }

    // --- recording while scraping ------------------------------------------------------------------------------

    @Test
    void scrapesTakenWhileRunsAreRecordedAreConsistentAndTheLastOneIsExact() throws Exception {
        List<String> sources = List.of("PowerBI", "Efficy", "sharepoint_graph");
        List<String> objets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            objets.add("objet-" + i);
        }
        List<IngestionEvent> runs = mixedRuns(99, 10_000, sources, objets);
        RunMetrics metrics = new RunMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new LabelCardinalityLimiter(2000));
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger scrapesWhileRecording = new AtomicInteger();
        int[] passes = new int[threads];
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread recorder = new Thread(() -> {
                try {
                    // passes over this thread's share until a few scrapes overlapped the recording
                    do {
                        for (int i = offset; i < runs.size(); i += threads) {
                            metrics.record(runs.get(i));
                        }
                        passes[offset]++;
                    } while (passes[offset] < 2 || scrapesWhileRecording.get() < 3 && System.nanoTime() < deadline);
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    done.countDown();
                }
            });
            recorder.start();
        }
        Map<String, Double> previous = new HashMap<>();
        while (done.getCount() > 0) {
            checkConsistent(PrometheusText.parse(ours(metrics, ExpositionFormat.PROMETHEUS_TEXT)), previous);
            if (done.getCount() > 0) {
                scrapesWhileRecording.incrementAndGet();
            }
        }
        done.await();
        if (failure.get() != null) {
            fail(failure.get());
        }
        assertTrue(scrapesWhileRecording.get() >= 3, "scraped " + scrapesWhileRecording + " times while recording");
        checkConsistent(PrometheusText.parse(ours(metrics, ExpositionFormat.PROMETHEUS_TEXT)), previous);

        // the counts end as one thread recording everything makes them (checked against Micrometer's and against
        // the runs by the tests above); sums up to the order of additions
        RunMetrics reference = new RunMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new LabelCardinalityLimiter(2000));
        for (int t = 0; t < threads; t++) {
            for (int pass = 0; pass < passes[t]; pass++) {
                for (int i = t; i < runs.size(); i += threads) {
                    reference.record(runs.get(i));
                }
            }
        }
        Map<String, Double> expected = countsAndSums(PrometheusText.parse(ours(reference,
                ExpositionFormat.PROMETHEUS_TEXT)));
        Map<String, Double> actual = countsAndSums(PrometheusText.parse(ours(metrics,
                ExpositionFormat.PROMETHEUS_TEXT)));
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, Double> entry : expected.entrySet()) {
            double value = actual.get(entry.getKey());
            if (entry.getKey().contains("_sum{")) {
                assertEquals(entry.getValue(), value, Math.abs(entry.getValue()) * 1e-9, entry.getKey());
            } else {
                assertEquals(entry.getValue(), value, 0.0, entry.getKey());
            }
        }
    }

    /** Buckets never decrease with le, +Inf is the count, and nothing counted went down since the last scrape. */
    private static void checkConsistent(PrometheusText scrape, Map<String, Double> previous) {
        Map<String, List<PrometheusText.Sample>> buckets = new HashMap<>();
        Map<String, Double> counts = new HashMap<>();
        for (PrometheusText.Sample sample : scrape.samples()) {
            String name = sample.name();
            if (name.endsWith("_bucket")) {
                Map<String, String> series = new TreeMap<>(sample.labels());
                series.remove("le");
                buckets.computeIfAbsent(name + series, k -> new ArrayList<>()).add(sample);
            } else if (name.endsWith("_count")) {
                counts.put(name.replace("_count", "_bucket") + new TreeMap<>(sample.labels()), sample.value());
            }
            if (name.endsWith("_bucket") || name.endsWith("_count") || name.endsWith("_total")) {
                String key = name + new TreeMap<>(sample.labels());
                Double before = previous.put(key, sample.value());
                if (before != null && sample.value() < before) {
                    fail(key + " went down from " + before + " to " + sample.value());
                }
            }
        }
        for (Map.Entry<String, List<PrometheusText.Sample>> series : buckets.entrySet()) {
            double last = -1;
            for (PrometheusText.Sample bucket : series.getValue()) {
                assertTrue(bucket.value() >= last, "cumulative buckets of " + series.getKey());
                last = bucket.value();
            }
            assertEquals("+Inf", series.getValue().get(series.getValue().size() - 1).labels().get("le"));
            assertEquals(counts.get(series.getKey()), last, "+Inf is _count for " + series.getKey());
        }
    }

    /** Every counter, bucket, count and sum of the runs' counters and histograms, keyed by name and labels. */
    private static Map<String, Double> countsAndSums(PrometheusText scrape) {
        Map<String, Double> values = new TreeMap<>();
        for (PrometheusText.Sample sample : scrape.samples()) {
            String name = sample.name();
            boolean order = name.startsWith("ingestion_recovery") || name.startsWith("ingestion_last_run");
            boolean run = name.startsWith("ingestion_") && !name.endsWith("_max") && !order;
            if (run) {
                values.put(name + new TreeMap<>(sample.labels()), sample.value());
            }
        }
        return values;
    }
}
