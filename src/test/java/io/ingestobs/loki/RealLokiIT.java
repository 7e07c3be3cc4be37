package io.ingestobs.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.RealLoki;
import io.ingestobs.testsupport.SyntheticRuns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pipeline against a real Grafana Loki 3.7 (SPEC §5, §10): the sample's lines and every LogQL query of the
 * dashboard on the project's test configuration; Loki's 400s for a too-large line and a too-old entry (refused
 * entries in the DLQ with Loki's answer, the valid ones of the same push stored once); replayed old runs queryable
 * at once with the compose stack's configuration. Skipped, saying why, without {@code LOKI_BIN}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealLokiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker broker;
    private static RealLoki testLoki;
    private static RealLoki composeLoki;

    @BeforeAll
    static void start() throws Exception {
        if (RealLoki.binary().isEmpty()) {
            System.out.println(RealLoki.SKIPPED);
            return;
        }
        Path binary = RealLoki.binary().orElseThrow();
        CompletableFuture<RealLoki> test = CompletableFuture.supplyAsync(() -> startLoki(binary, "test",
                RealLoki::testConfig));
        CompletableFuture<RealLoki> compose = CompletableFuture.supplyAsync(() -> startLoki(binary, "compose",
                RealLoki::composeConfig));
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
        testLoki = test.join();
        composeLoki = compose.join();
    }

    private static RealLoki startLoki(Path binary, String name, RealLoki.ConfigMaker config) {
        try {
            return RealLoki.start(binary, name, config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {testLoki, composeLoki, broker}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** Each test is reported as skipped, with the reason, rather than the class vanishing from the report. */
    @BeforeEach
    void requireLoki() {
        assumeTrue(RealLoki.binary().isPresent(), RealLoki.SKIPPED);
    }

    @Test
    @Order(0)
    void theComposeConfigurationIsValidForLokiAsComposeRunsIt() throws Exception {
        RealLoki.Result result = RealLoki.verify(RealLoki.binary().orElseThrow(),
                Path.of("compose/loki/loki-config.yml").toAbsolutePath(), true);
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("config is valid"), result.output());
    }

    // the sample first on each Loki: the dashboard's queries then see its runs only
    @Test
    @Order(1)
    void theSampleAnswersEveryLogQlQueryOfTheDashboard() throws Exception {
        List<JsonNode> events = ingest(testLoki, "sample", Map.of("input.rebaseTimestamps", "true"), 72);
        Instant oldest = events.stream().map(RealLokiIT::timestamp).min(Comparator.naturalOrder()).orElseThrow();
        Instant newest = events.stream().map(RealLokiIT::timestamp).max(Comparator.naturalOrder()).orElseThrow();
        Instant from = oldest.minusSeconds(60);
        Instant to = newest.plusSeconds(60);
        Await.until("Loki returns the 72 runs", () -> lines(testLoki, "{job=\"ingestion-logs\"}", from, to) == 72);

        JsonNode all = testLoki.queryRange("{job=\"ingestion-logs\"}", from, to, Duration.ofSeconds(60), 1000,
                "backward");
        Set<JsonNode> stored = new HashSet<>();
        all.path("result").forEach(stream -> {
            assertTrue(stream.path("stream").has("service_name") && stream.path("stream").has("detected_level"),
                    "Loki 3 adds service_name and detected_level: " + stream.path("stream"));
            stream.path("values").forEach(v -> stored.add(parse(v.get(1).asText())));
        });
        assertEquals(new HashSet<>(events), stored, "the lines are the events published");
        assertEquals(1, lines(testLoki, "{job=\"ingestion-logs\"} |= \"FAILED\"", from, to));

        JsonNode failure = events.stream().filter(e -> e.path("etat").asText().equals("FAILED")).findFirst()
                .orElseThrow();
        String failureLine = failure.at("/source/name").asText() + " / " + failure.at("/objet/name").asText()
                + " : " + failure.path("description").asText();
        Map<String, JsonNode> queries = dashboardLogQl();
        assertEquals(Set.of("Max mémoire (MB)", "Exécutions par état (chronologie)", "Exécutions par connecteur",
                "5 dernières exécutions en échec", "annotation: Échecs (Loki)"), queries.keySet(),
                "the dashboard's LogQL panels changed: give each its expected result here");

        // Max mémoire: a true maximum over the window ($__range = 1h), from the lines' exact values
        Instant at = newest.plusSeconds(1);
        long expectedMax = events.stream().filter(e -> timestamp(e).isAfter(at.minusSeconds(3600)))
                .mapToLong(e -> e.at("/performance/memory_used_bytes").asLong()).max().orElseThrow();
        JsonNode max = testLoki.query(expr(queries, "Max mémoire (MB)"), at).path("result");
        assertEquals(1, max.size(), max.toString());
        assertEquals(expectedMax, max.get(0).path("value").get(1).asDouble(), 0.5);

        // Timeline: count_over_time per état over contiguous 1 min steps counts each run once
        Map<String, Double> perEtat = new TreeMap<>();
        testLoki.queryRange(expr(queries, "Exécutions par état (chronologie)"), from, to, Duration.ofSeconds(60),
                1000, "backward").path("result").forEach(series -> series.path("values").forEach(v ->
                perEtat.merge(series.path("metric").path("etat").asText(), v.get(1).asDouble(), Double::sum)));
        assertEquals(Map.of("SUCCESS", 71.0, "FAILED", 1.0), perEtat);

        // Grid: one row per run, with the columns the panel extracts
        List<JsonNode> rows = new ArrayList<>();
        testLoki.queryRange(expr(queries, "Exécutions par connecteur"), from, to, Duration.ofSeconds(60), 1000,
                "backward").path("result").forEach(stream -> stream.path("values").forEach(v -> {
                    JsonNode labels = stream.path("stream");
                    JsonNode event = parse(v.get(1).asText());
                    assertEquals(event.path("fin").asText(), labels.path("fin").asText());
                    assertEquals(event.path("debut").asText(), labels.path("debut").asText());
                    assertEquals(event.at("/performance/duree_secondes").asDouble(),
                            labels.path("performance_duree_secondes").asDouble());
                    assertEquals(event.at("/performance/memory_used_bytes").asLong(),
                            labels.path("performance_memory_used_bytes").asLong());
                    assertEquals(event.path("description").asText(), labels.path("description").asText());
                    rows.add(event);
                }));
        assertEquals(72, rows.size());

        // Last errors and the failure annotation: the one FAILED run, as the panel formats it
        for (String panel : List.of("5 dernières exécutions en échec", "annotation: Échecs (Loki)")) {
            List<String> shown = new ArrayList<>();
            testLoki.queryRange(expr(queries, panel), from, to, Duration.ofSeconds(60), 5, "backward")
                    .path("result").forEach(s -> s.path("values").forEach(v -> shown.add(v.get(1).asText())));
            assertEquals(List.of(failureLine), shown, panel);
        }
    }

    @Test
    @Order(2)
    void entriesLokiRefusesGoToTheDeadLetterTopicWithItsAnswerAndTheOthersAreStoredOnce() throws Exception {
        Instant now = Instant.now();
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(record("o" + i, now.minusSeconds(10L * i), "ok " + i));
        }
        records.add(record("too-old", now.minus(Duration.ofDays(14)), "quatorze jours"));
        records.add(record("too-large", now.minusSeconds(5), "x".repeat(20_000)));
        Path file = Files.createTempFile("refused", ".jsonl");
        Files.write(file, records);

        String topic = "refused";
        int metricsPort = EmbeddedKafkaBroker.freePort();
        try (PipelineApp consumer = consumer(testLoki, topic, metricsPort)) {
            List<JsonNode> events = produce(topic, Map.of("input.file", file.toString()), 22);
            List<JsonNode> letters = KafkaTopics.readJson(broker.bootstrapServers(), topic + ".dlq", 2);
            Map<String, String> errorByObjet = new HashMap<>();
            for (JsonNode letter : letters) {
                assertEquals("loki", letter.path("stage").asText(), letter.toString());
                assertEquals("loki_rejected", letter.path("reason").asText(), letter.toString());
                errorByObjet.put(parse(letter.path("original").asText()).at("/objet/name").asText(),
                        letter.path("error").asText());
            }
            assertEquals(Set.of("too-old", "too-large"), errorByObjet.keySet());
            assertTrue(errorByObjet.get("too-old").matches("(?s).*(too old|too far behind).*"),
                    errorByObjet.get("too-old"));
            assertTrue(errorByObjet.get("too-large").contains("max entry size"), errorByObjet.get("too-large"));

            Set<JsonNode> valid = new HashSet<>(events);
            valid.removeIf(e -> e.at("/objet/name").asText().startsWith("too-"));
            String selector = "{job=\"ingestion-logs\", source=\"RealLokiRefus\"}";
            Instant from = now.minusSeconds(600);
            Instant to = Instant.now().plusSeconds(60);
            Await.until("the 20 valid runs in Loki", () -> lines(testLoki, selector, from, to) == 20);
            Set<JsonNode> stored = new HashSet<>();
            testLoki.queryRange(selector, from, to, Duration.ofSeconds(60), 1000, "backward").path("result")
                    .forEach(s -> s.path("values").forEach(v -> stored.add(parse(v.get(1).asText()))));
            assertEquals(valid, stored);
            // a metric query counts every stored copy: each valid run is there once, though its push was refused
            JsonNode count = testLoki.query("sum(count_over_time(" + selector + "[15m]))", to).path("result");
            assertEquals(20.0, count.get(0).path("value").get(1).asDouble(), "stored copies of the 20 valid runs");
            double refusedPushes = PrometheusText.named(PrometheusText.parse(Http.get("http://127.0.0.1:"
                    + metricsPort + "/metrics").body()), "ingestion_loki_push_requests_total").stream()
                    .filter(s -> "400".equals(s.labels().get("status"))).mapToDouble(PrometheusText.Sample::value)
                    .sum();
            assertTrue(refusedPushes >= 1, "Loki answered 400 at least once: " + refusedPushes);
        }
    }

    @Test
    @Order(3)
    void replayedOldRunsAreQueryableAtOnceWithTheComposeConfiguration() throws Exception {
        // the sample as it is, without REBASE_TIMESTAMPS: runs of 2025-09-15, more than a year old
        List<JsonNode> events = ingest(composeLoki, "replay", Map.of("input.rebaseTimestamps", "false"), 72);
        Instant oldest = events.stream().map(RealLokiIT::timestamp).min(Comparator.naturalOrder()).orElseThrow();
        Instant newest = events.stream().map(RealLokiIT::timestamp).max(Comparator.naturalOrder()).orElseThrow();
        assertTrue(newest.isBefore(Instant.now().minus(Duration.ofDays(30))), "the sample's own times: " + newest);
        Instant from = oldest.minusSeconds(60);
        Instant to = newest.plusSeconds(60);
        // "at once": well before the chunk could be flushed (chunk_idle_period 30m, max_chunk_age 12h)
        Await.until("the replayed runs visible in Loki", Duration.ofSeconds(30),
                () -> lines(composeLoki, "{job=\"ingestion-logs\"}", from, to) == 72);
        // over the sample's own span only (other tests' runs may share its day)
        long span = Duration.between(from, to).toSeconds();
        JsonNode count = composeLoki.query("sum(count_over_time({job=\"ingestion-logs\"}[" + span + "s]))", to)
                .path("result");
        assertEquals(72.0, count.get(0).path("value").get(1).asDouble());
        assertEquals(1, lines(composeLoki, "{job=\"ingestion-logs\"} |= \"FAILED\"", from, to));
    }

    /**
     * Loki frozen (SIGSTOP: connections accepted, nothing answered) while the consumer pushes, then resumed: the
     * pushes that timed out had reached Loki before it froze, and sending them again used to store those runs
     * twice (metric queries such as the dashboard's count_over_time then count runs that never happened). Each run
     * must be stored once, none lost.
     */
    @Test
    @Order(4)
    void aLokiFrozenMidPushStoresEachRunOnce() throws Exception {
        int runs = 20_000;
        String topic = "frozen";
        int metricsPort = EmbeddedKafkaBroker.freePort();
        broker.createTopics(3, topic, topic + ".dlq");
        Map<String, String> props = new HashMap<>(Map.of("kafka.topic", topic, "kafka.dlqTopic", topic + ".dlq",
                "kafka.groupId", topic + "-group", "camel.management.port", Integer.toString(metricsPort),
                "loki.url", composeLoki.url(), "loki.batch.maxWaitMs", "200", "loki.batch.maxEntries", "500",
                "loki.requestTimeoutMs", "2000", "loki.retry.maxTimeMs", "4000"));
        try (PipelineApp consumer = PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), props,
                Duration.ofMinutes(1))) {
            String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
            SyntheticRuns.publish(broker.bootstrapServers(), topic, 0, runs / 2, 50);
            Await.until("Loki took the first half", () -> total(metrics, "ingestion_loki_entries_total") >= runs / 2);
            signal("STOP", composeLoki.pid());
            try {
                // the second half is pushed into the frozen Loki: its requests are received, never answered
                SyntheticRuns.publish(broker.bootstrapServers(), topic, runs / 2, runs, 50);
                // longer than a push's retry budget: the consumer gives batches up and polls them again, as it
                // did with the default budget (120 s) against a Loki frozen for 150 s
                Thread.sleep(12_000);
            } finally {
                signal("CONT", composeLoki.pid());
            }
            Await.until("every run committed", Duration.ofMinutes(3),
                    () -> KafkaTopics.committed(broker.bootstrapServers(), topic + "-group") == runs);
            assertEquals(runs, total(metrics, "ingestion_runs_total"), "each run counted once");
            assertTrue(PrometheusText.named(PrometheusText.parse(Http.get(metrics).body()),
                    "ingestion_loki_push_requests_total").stream().anyMatch(s -> "error".equals(s.labels()
                    .get("status")) && s.value() > 0), "a push timed out while Loki was frozen");
            System.out.println("frozen Loki: entries found already stored, not sent again: "
                    + total(metrics, "ingestion_loki_entries_already_stored_total") + "; push requests by status: "
                    + PrometheusText.named(PrometheusText.parse(Http.get(metrics).body()),
                    "ingestion_loki_push_requests_total"));
        }
        // the synthetic runs end between 08:00 and 08:03:20 on 2025-09-15, apart from the sample's replayed ones
        Instant at = Instant.parse("2025-09-15T08:05:00Z");
        JsonNode stored = composeLoki.query("sum(count_over_time({job=\"ingestion-logs\"}[10m]))", at)
                .path("result");
        assertEquals(runs, stored.get(0).path("value").get(1).asDouble(), "runs stored in Loki, copies included");
    }

    private static double total(String metricsUrl, String name) {
        try {
            return PrometheusText.named(PrometheusText.parse(Http.get(metricsUrl).body()), name).stream()
                    .mapToDouble(PrometheusText.Sample::value).sum();
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Sends a signal to the Loki this test started (by its pid). */
    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    /** A consumer into {@code loki}, the producer publishing the sample, the events it published. */
    private static List<JsonNode> ingest(RealLoki loki, String topic, Map<String, String> producerProps,
                                         int expected) throws Exception {
        try (PipelineApp consumer = consumer(loki, topic, EmbeddedKafkaBroker.freePort())) {
            List<JsonNode> events = produce(topic, producerProps, expected);
            Await.until("offsets committed to the end",
                    () -> KafkaTopics.committed(broker.bootstrapServers(), topic + "-group") == expected);
            return events;
        }
    }

    private static PipelineApp consumer(RealLoki loki, String topic, int metricsPort) throws Exception {
        broker.createTopics(3, topic, topic + ".dlq");
        return PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), Map.of("kafka.topic", topic,
                "kafka.dlqTopic", topic + ".dlq", "kafka.groupId", topic + "-group",
                "camel.management.port", Integer.toString(metricsPort), "loki.url", loki.url(),
                "loki.batch.maxWaitMs", "500"), Duration.ofMinutes(1));
    }

    private static List<JsonNode> produce(String topic, Map<String, String> extra, int expected) throws Exception {
        Map<String, String> props = new HashMap<>(extra);
        props.put("kafka.topic", topic);
        props.put("kafka.dlqTopic", topic + ".dlq");
        try (PipelineApp producer = PipelineApp.start(Role.PRODUCER, broker.bootstrapServers(), props,
                Duration.ofMinutes(1))) {
            assertTrue(producer.awaitStopped(Duration.ofMinutes(1)), "the producer did not finish");
            assertEquals(expected, producer.summary().publishedCount());
        }
        return KafkaTopics.readJson(broker.bootstrapServers(), topic, expected);
    }

    private static String record(String objet, Instant fin, String description) throws Exception {
        Map<String, Object> record = new TreeMap<>(Map.of("Source", "RealLokiRefus", "Objet", objet,
                "Etat", "SUCCESS", "Fin", fin.toString(), "Debut", fin.minusSeconds(2).toString(),
                "Description", description, "zone", "1-Raw", "entreprise", "tests"));
        return JSON.writeValueAsString(record);
    }

    private static int lines(RealLoki loki, String logql, Instant from, Instant to) {
        try {
            int[] n = {0};
            loki.queryRange(logql, from, to, Duration.ofSeconds(60), 5000, "backward").path("result")
                    .forEach(s -> n[0] += s.path("values").size());
            return n[0];
        } catch (Exception e) {
            return -1;
        }
    }

    private static Map<String, JsonNode> dashboardLogQl() throws Exception {
        Process node = new ProcessBuilder("node", "queries.mjs", "--logql").directory(new File("tools/dashboard"))
                .start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.waitFor(), "node queries.mjs --logql failed");
        Map<String, JsonNode> byPanel = new TreeMap<>();
        JSON.readTree(output).forEach(q -> byPanel.put(q.path("panel").asText(), q));
        return byPanel;
    }

    private static String expr(Map<String, JsonNode> queries, String panel) {
        return queries.get(panel).path("expr").asText();
    }

    private static Instant timestamp(JsonNode event) {
        return Instant.parse(event.path("@timestamp").asText());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
