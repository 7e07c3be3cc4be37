package io.ingestobs.bench;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.http.MetricsEndpoint;
import io.ingestobs.metrics.ExpositionFormat;
import io.ingestobs.metrics.PairBudget;
import io.ingestobs.metrics.RunMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * What one Prometheus scrape costs with the bench's 10,005 source/objet pairs (docs/benchmark.md, "Scrape"),
 * without the whole bench: {@code bench/scrape}. Two parts, each a median of {@code SCRAPE_REPEATS} after two
 * warm-ups:
 * <ol>
 * <li>in-process: the run meters of {@code SCRAPE_RUNS} {@link Synth} runs in a Prometheus registry, the
 * Micrometer snapshot, its text writing and {@code scrape()} timed apart;</li>
 * <li>HTTP: the real pipeline (Camel Main, ROLE=consumer, in this JVM) on an embedded broker, fed the same runs
 * through Kafka, then {@code GET /metrics} timed from the first byte asked to the last byte read.</li>
 * <li>budget: the heap one source/objet pair costs (live heap after full collections, before and after
 * {@code METRICS_MAX_PAIRS} pairs), that pairs past the budget cost nothing more (100,000 distinct pairs, as in
 * issue 19), and the scrape at the default budget, written to a counting stream.</li>
 * </ol>
 * {@code SCRAPE_PARTS=memory}, {@code http} or {@code budget} runs one part only.
 */
public final class ScrapeBench {

    private static final int RUNS = Integer.getInteger("runs", envInt("SCRAPE_RUNS", 1_000_000));
    private static final int REPEATS = envInt("SCRAPE_REPEATS", 7);
    private static final String PARTS = System.getenv().getOrDefault("SCRAPE_PARTS", "memory,http,budget");
    private static final int FLOOD_PAIRS = envInt("SCRAPE_FLOOD_PAIRS", 100_000);

    private ScrapeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (PARTS.contains("memory")) {
            inMemory();
        }
        if (PARTS.contains("http")) {
            overHttp();
        }
        if (PARTS.contains("budget")) {
            budget();
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ in-process

    private static void inMemory() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = new RunMetrics(registry, new LabelCardinalityLimiter(2000));
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        long start = System.nanoTime();
        for (int i = 0; i < RUNS; i++) {
            IngestionEvent event = restructurer.restructure(Synth.run(i, null));
            metrics.record(event);
        }
        log("recorded %d runs in %.0f ms", RUNS, (System.nanoTime() - start) / 1e6);

        String text = registry.scrape();
        Shape shape = Shape.of(text);
        log("exposition: %s", shape);

        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        time("micrometer snapshot (PrometheusRegistry.scrape)", () -> registry.getPrometheusRegistry().scrape());
        MetricSnapshots snapshots = registry.getPrometheusRegistry().scrape();
        time("text writing of that snapshot", () -> {
            CountingStream out = new CountingStream();
            writer.write(out, snapshots);
            return out.bytes;
        });
        time("PrometheusMeterRegistry.scrape() String", registry::scrape);

        // what GET /metrics writes: the run families by RunExposition, then the registry's other meters
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, metrics, "/metrics");
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        endpoint.write(whole, ExpositionFormat.PROMETHEUS_TEXT);
        log("exposition of GET /metrics: %s", Shape.of(whole.toString(StandardCharsets.UTF_8)));
        time("run families alone (RunExposition), text 0.0.4", () -> {
            CountingStream out = new CountingStream();
            metrics.exposition().write(out, ExpositionFormat.PROMETHEUS_TEXT);
            return out.bytes;
        });
        for (ExpositionFormat format : ExpositionFormat.values()) {
            time("GET /metrics' writing, " + format, () -> {
                CountingStream out = new CountingStream();
                endpoint.write(out, format);
                return out.bytes;
            });
        }
    }

    // ---------------------------------------------------------------------------------------------------- budget

    /**
     * Labels as a large platform has them (as in issue 19): {@code connector_NNN} × {@code table_NNNNN_raw_extract},
     * one entreprise and zone; one run each, and a FAILED one too for every 10th pair (a second run series).
     */
    private static void budget() throws Exception {
        int budget = PairBudget.DEFAULT_MAX_PAIRS;
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(2000);
        long empty = liveHeap();
        RunMetrics metrics = new RunMetrics(registry, limiter, new PairBudget(budget));
        for (int pair = 0; pair < budget; pair++) {
            metrics.record(restructurer.restructure(floodRun(pair, "SUCCESS")));
            if (pair % 10 == 0) {
                metrics.record(restructurer.restructure(floodRun(pair, "FAILED")));
            }
        }
        long atBudget = liveHeap();
        double perPair = (atBudget - empty) / (double) budget;
        log("heap of the run meters at the budget (%d pairs, %d with a FAILED run too): %.1f MiB, %.0f bytes a pair",
                budget, budget / 10, (atBudget - empty) / 1048576.0, perPair);

        long start = System.nanoTime();
        for (int pair = budget; pair < budget + FLOOD_PAIRS; pair++) {
            metrics.record(restructurer.restructure(floodRun(pair, "SUCCESS")));
        }
        long afterFlood = liveHeap();
        log("%d more runs of distinct pairs, past the budget, in %.0f ms: heap %+.2f MiB (the __other__ series of "
                        + "the 200 sources, nothing per run); pairs with series of their own %d, runs folded into "
                        + "__other__ %d", FLOOD_PAIRS, (System.nanoTime() - start) / 1e6,
                (afterFlood - atBudget) / 1048576.0, metrics.budget().pairs(), metrics.budget().foldedRuns());

        MetricsEndpoint endpoint = new MetricsEndpoint(registry, metrics, "/metrics");
        LineCountingStream shape = new LineCountingStream();
        endpoint.write(shape, ExpositionFormat.PROMETHEUS_TEXT);
        log("exposition at the default budget: %.1f MiB, %d lines", shape.bytes / 1048576.0, shape.lines);
        for (ExpositionFormat format : ExpositionFormat.values()) {
            time("GET /metrics' writing at the default budget, " + format, () -> {
                CountingStream out = new CountingStream();
                endpoint.write(out, format);
                return out.bytes;
            });
        }
        Reference.reachabilityFence(metrics);
        Reference.reachabilityFence(limiter);
        worstCase(budget, restructurer);
    }

    /**
     * The most the run meters can hold at a budget, whatever the input: twice the budget of pairs, each with its
     * own entreprise (so each folded one makes an __other__ pair of its own while they have room), each run in
     * SUCCESS, FAILED and more states than a pair keeps. Then the exposition that makes.
     */
    private static void worstCase(int budget, EventRestructurer restructurer) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(1_000_000);
        long empty = liveHeap();
        RunMetrics metrics = new RunMetrics(registry, limiter, new PairBudget(budget));
        List<String> states = new ArrayList<>(List.of("SUCCESS", "FAILED"));
        for (int i = 0; i <= 6; i++) { // more than PairSeries.MAX_OTHER_STATES
            states.add("STATE " + i);
        }
        for (int pair = 0; pair < 2 * budget; pair++) {
            for (String etat : states) {
                // past the budget each pair has its own entreprise, so each makes an __other__ pair of its own
                RunRecord run = floodRun(pair, etat);
                metrics.record(restructurer.restructure(new RunRecord(run.id(), run.source(), run.objet(),
                        run.transformation(), etat, run.debut(), run.fin(), run.dureeSecondes(), run.cpuTime(),
                        run.memoryUsed(), run.description(), run.zone(), "tenant_" + pair)));
            }
        }
        long full = liveHeap();
        LineCountingStream shape = new LineCountingStream();
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, metrics, "/metrics");
        endpoint.write(shape, ExpositionFormat.PROMETHEUS_TEXT);
        log("worst case at the default budget (%d distinct pairs x %d states offered, %d pairs kept): run meters "
                        + "%.1f MiB; exposition %.1f MiB, %d lines", 2 * budget, states.size(),
                metrics.budget().pairs(), (full - empty) / 1048576.0, shape.bytes / 1048576.0, shape.lines);
        time("GET /metrics' writing, worst case at the default budget, text", () -> {
            CountingStream out = new CountingStream();
            endpoint.write(out, ExpositionFormat.PROMETHEUS_TEXT);
            return out.bytes;
        });
        Reference.reachabilityFence(metrics);
    }

    private static RunRecord floodRun(int pair, String etat) {
        String source = String.format(Locale.ROOT, "connector_%03d", pair % 200);
        String objet = String.format(Locale.ROOT, "table_%05d_raw_extract", pair / 200);
        java.time.Instant end = java.time.Instant.parse("2025-09-15T08:00:00Z").plusSeconds(pair);
        return new RunRecord((long) pair, source, objet, source + "_get_data", etat, end.minusMillis(1500), end,
                1.5, 0.2, 8_000_000L, "run " + pair, "1-Raw", "akonovia");
    }

    /** Heap in use once full collections have left only what is reachable. */
    private static long liveHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ------------------------------------------------------------------------------------------------------ HTTP

    private static void overHttp() throws Exception {
        int kafkaPort = EmbeddedKafkaBroker.freePort();
        int metricsPort = EmbeddedKafkaBroker.freePort();
        String topic = "scrape-bench";
        String group = "scrape-bench";
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(kafkaPort, 3)) {
            broker.createTopics(3, topic, topic + ".dlq");
            long start = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(), "linger.ms", 20, "batch.size", 1 << 20,
                    "compression.type", "lz4"), new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < RUNS; i++) {
                    RunRecord run = Synth.run(i, null);
                    producer.send(new ProducerRecord<>(topic, Synth.key(run), Synth.event(run)));
                }
                producer.flush();
            }
            log("published %d runs in %.0f ms", RUNS, (System.nanoTime() - start) / 1e6);

            Map<String, String> properties = new HashMap<>();
            properties.put("camel.management.port", Integer.toString(metricsPort));
            properties.put("kafka.topic", topic);
            properties.put("kafka.dlqTopic", topic + ".dlq");
            properties.put("kafka.groupId", group);
            start = System.nanoTime();
            try (PipelineApp app = PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), properties,
                    Duration.ofSeconds(60))) {
                awaitDrained(broker.bootstrapServers(), topic, group);
                log("pipeline drained %d runs in %.0f ms", RUNS, (System.nanoTime() - start) / 1e6);
                // HTTP/1.1, as Prometheus scrapes a plain http target (Java's client would negotiate HTTP/2)
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
                HttpResponse<String> whole = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                log("exposition over HTTP (%s): %s", whole.headers().firstValue("content-type").orElse("?"),
                        Shape.of(whole.body()));
                time("GET /metrics, text 0.0.4", () -> read(http, HttpRequest.newBuilder(uri).build()));
                time("GET /metrics, OpenMetrics (Prometheus' Accept)", () -> read(http,
                        HttpRequest.newBuilder(uri).header("Accept", "application/openmetrics-text;"
                                + "version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").build()));
            }
        }
    }

    private static long read(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + response.statusCode());
        }
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes += n;
            }
        }
        return bytes;
    }

    private static void awaitDrained(String brokers, String topic, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get().get(topic).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values()
                        .stream().mapToLong(OffsetAndMetadata::offset).sum();
                if (committed >= end) {
                    return;
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("the pipeline did not commit " + end + " records in 10 minutes");
        }
    }

    // ---------------------------------------------------------------------------------------------------- common

    /** Prints the median and the spread of {@code REPEATS} timed calls after two warm-ups. */
    private static void time(String what, Callable<?> call) throws Exception {
        call.call();
        call.call();
        double[] ms = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t = System.nanoTime();
            call.call();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        log("%-50s median %6.1f ms  (min %.1f, max %.1f)", what, sorted[REPEATS / 2], sorted[0],
                sorted[REPEATS - 1]);
    }

    /** Size of one exposition: bytes, lines, source/objet pairs, lines per pair. */
    private record Shape(long bytes, int lines, int pairs, int runLines) {
        static Shape of(String text) {
            int lines = 0;
            int pairs = 0;
            int runLines = 0;
            for (String line : text.split("\n")) {
                lines++;
                if (line.startsWith("ingestion_failures_total{")) {
                    pairs++;
                }
                if (line.startsWith("ingestion_") && !line.startsWith("ingestion_last_run_timestamp")
                        && !line.startsWith("ingestion_label") && !line.startsWith("ingestion_records")
                        && !line.startsWith("ingestion_dead") && !line.startsWith("ingestion_loki")) {
                    runLines++;
                }
            }
            return new Shape(text.getBytes(StandardCharsets.UTF_8).length, lines, pairs,
                    runLines);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f MiB, %d lines, %d source/objet pairs, %.1f lines per pair "
                    + "(run families)", bytes / 1048576.0, lines, pairs, pairs == 0 ? 0.0 : (double) runLines / pairs);
        }
    }

    /** Counts what it is given and keeps nothing: the writer's cost without a buffer's. */
    private static final class CountingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    /** Counts bytes and lines: the shape of an exposition, untimed. */
    private static final class LineCountingStream extends OutputStream {
        long bytes;
        long lines;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
        }
    }

    private static int envInt(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[scrape] " + format + "%n", args);
    }
}
