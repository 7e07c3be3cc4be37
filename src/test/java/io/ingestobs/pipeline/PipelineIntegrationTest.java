package io.ingestobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.domain.TimestampParser;
import io.ingestobs.input.InputRecordStream;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.Scrape;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shipped YAML routes end to end, in one JVM: a real KRaft broker, the Loki test server, the sample of
 * SPEC §9, the figures read over HTTP as a user would.
 */
class PipelineIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private static Map<String, String> properties(String prefix, int metricsPort, LokiTestServer loki, String file) {
        broker.createTopics(3, prefix, prefix + ".dlq");
        Map<String, String> props = new HashMap<>();
        props.put("kafka.topic", prefix);
        props.put("kafka.dlqTopic", prefix + ".dlq");
        props.put("kafka.groupId", prefix + "-group");
        props.put("camel.management.port", Integer.toString(metricsPort));
        props.put("loki.url", loki.url());
        props.put("loki.batch.maxWaitMs", "300");
        props.put("input.file", file);
        return props;
    }

    @Test
    void theSampleRunsReachPrometheusAndLokiAndOffsetsAreCommitted() throws Exception {
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer();
             PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(),
                     properties("sample", port, loki, "logs.json"), Duration.ofMinutes(1))) {
            String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
            Await.until("72 ingestion_runs_total series", () -> Scrape.named(metricsUrl, "ingestion_runs_total").size() == 72);
            Await.until("72 entries in Loki", () -> loki.entries().size() == 72);

            List<Sample> samples = PrometheusText.parse(Http.get(metricsUrl).body());
            List<Sample> runs = PrometheusText.named(samples, "ingestion_runs_total");
            Map<String, Double> byEtat = runs.stream().collect(Collectors.groupingBy(s -> s.labels().get("etat"),
                    Collectors.summingDouble(Sample::value)));
            assertEquals(Map.of("SUCCESS", 71.0, "FAILED", 1.0), byEtat);
            assertTrue(runs.stream().allMatch(s -> s.labels().keySet().equals(
                    Set.of("source", "etat", "objet", "entreprise", "zone"))));
            assertEquals(72, PrometheusText.named(samples, "ingestion_duration_seconds_sum").size());
            assertEquals(1.0, PrometheusText.named(samples, "ingestion_failures_total").stream()
                    .filter(s -> s.labels().get("source").equals("sharepoint_graph")
                            && s.labels().get("objet").equals("EventFactureApplication"))
                    .findFirst().orElseThrow().value());
            assertEquals(71, PrometheusText.named(samples, "ingestion_last_run_success").stream()
                    .filter(s -> s.value() == 1.0).count());
            assertEquals(5, PrometheusText.named(samples, "ingestion_last_run_timestamp").size());
            assertEquals(72.0, single(samples, "ingestion_records_read_total"));
            assertEquals(72.0, single(samples, "ingestion_records_published_total"));
            assertEquals(72.0, single(samples, "ingestion_loki_entries_total"));

            // Loki got the event JSON of SPEC §3 as line, byte for byte, under the stream labels of SPEC §5.
            Set<String> expectedLines = sampleEventLines();
            Set<String> lines = new HashSet<>();
            for (LokiTestServer.Entry entry : loki.entries()) {
                lines.add(entry.line());
                JsonNode event = JSON.readTree(entry.line());
                String etat = event.get("etat").asText();
                assertEquals(Map.of("job", "ingestion-logs", "source", event.at("/source/name").asText(),
                        "etat", etat, "zone", "1-Raw", "entreprise", "akonovia",
                        "level", etat.equals("FAILED") ? "error" : "info"), entry.labels());
                long nanos = java.time.Instant.parse(event.get("@timestamp").asText()).toEpochMilli() * 1_000_000L;
                assertEquals(Long.toString(nanos), entry.timestamp());
            }
            assertEquals(expectedLines, lines);

            Await.until("offsets committed for all 72 records", () -> KafkaTopics.committed(broker.bootstrapServers(), "sample-group") == 72);
            HttpResponse<String> health = Http.get("http://127.0.0.1:" + port + "/health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode healthJson = JSON.readTree(health.body());
            assertEquals("UP", healthJson.get("status").asText());
            Set<String> checks = new HashSet<>();
            healthJson.get("checks").forEach(c -> checks.add(c.get("name").asText()));
            assertTrue(checks.containsAll(Set.of("route:consume-events", "consumer:consume-events", "loki-sink",
                            "metric-pairs")),
                    "one check per part: " + checks);
        }
    }

    @Test
    void lokiUrlGivenAsThePushEndpointWithATrailingSlashStillReachesLoki() throws Exception {
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer()) {
            Map<String, String> props = properties("pushurl", port, loki, "logs.json");
            props.put("loki.url", loki.url() + "/loki/api/v1/push/");
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props, Duration.ofMinutes(1))) {
                Await.until("72 entries in Loki", () -> loki.entries().size() == 72);
                Await.until("offsets committed for all 72 records",
                        () -> KafkaTopics.committed(broker.bootstrapServers(), "pushurl-group") == 72);
            }
        }
    }

    @Test
    void pastMetricsMaxPairsRunsFoldIntoOtherOfTheirSourceLokiKeepsTheRealNamesAndHealthWarnsUp() throws Exception {
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer()) {
            Map<String, String> props = properties("budget", port, loki, "logs.json");
            props.put("metrics.maxPairs", "10");
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                    Duration.ofMinutes(1))) {
                String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
                Await.until("72 entries in Loki", () -> loki.entries().size() == 72);
                Await.until("72 runs counted", () -> Scrape.named(metricsUrl, "ingestion_runs_total").stream()
                        .mapToDouble(Sample::value).sum() == 72);
                List<Sample> samples = PrometheusText.parse(Http.get(metricsUrl).body());
                assertEquals(10.0, single(samples, "ingestion_metric_pairs"));
                assertEquals(62.0, single(samples, "ingestion_pairs_folded_total"));
                List<Sample> runs = PrometheusText.named(samples, "ingestion_runs_total");
                assertEquals(10, runs.stream().filter(r -> !"__other__".equals(r.labels().get("objet")))
                        .map(r -> r.labels().get("source") + "/" + r.labels().get("objet")).distinct().count());
                // per source and per state, the counts of the whole sample (SPEC §9)
                Map<String, Double> bySource = runs.stream().collect(Collectors.groupingBy(
                        r -> r.labels().get("source"), Collectors.summingDouble(Sample::value)));
                Map<String, Double> expected = sampleEventLines().stream().map(PipelineIntegrationTest::sourceOf)
                        .collect(Collectors.groupingBy(source -> source, Collectors.summingDouble(source -> 1.0)));
                assertEquals(expected, bySource);
                assertEquals(1.0, PrometheusText.named(samples, "ingestion_failures_total").stream()
                        .filter(f -> f.labels().get("source").equals("sharepoint_graph"))
                        .mapToDouble(Sample::value).sum());
                // Loki has every line with its real objet
                Set<String> lines = new HashSet<>();
                loki.entries().forEach(entry -> lines.add(entry.line()));
                assertEquals(sampleEventLines(), lines);

                HttpResponse<String> health = Http.get("http://127.0.0.1:" + port + "/health");
                assertEquals(200, health.statusCode(), health.body());
                JsonNode healthJson = JSON.readTree(health.body());
                assertEquals("UP", healthJson.get("status").asText(), health.body());
                JsonNode check = null;
                for (JsonNode c : healthJson.get("checks")) {
                    if (c.get("name").asText().equals("metric-pairs")) {
                        check = c;
                    }
                }
                assertTrue(check != null, "a metric-pairs check: " + health.body());
                assertEquals("UP", check.get("status").asText());
                assertTrue(check.get("message").asText().startsWith("WARNING: METRICS_MAX_PAIRS (10) reached, 62 "
                        + "runs"), check.toString());
            }
        }
    }

    private static String sourceOf(String eventLine) {
        try {
            return JSON.readTree(eventLine).at("/source/name").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void severalConsumerThreadsShareThePartitionsAndCountEachRunOnce() throws Exception {
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer()) {
            Map<String, String> props = properties("threads", port, loki, "logs.json");
            props.put("consumer.threads", "3");
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                    Duration.ofMinutes(1))) {
                Await.until("72 entries in Loki", () -> loki.entries().size() == 72);
                Await.until("offsets committed for all 72 records",
                        () -> KafkaTopics.committed(broker.bootstrapServers(), "threads-group") == 72);
                long consumers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().contains("KafkaConsumer[threads]")).count();
                assertEquals(3, consumers, "one thread per consumer of the route");
                List<Sample> samples = PrometheusText.parse(Http.get("http://127.0.0.1:" + port + "/metrics").body());
                assertEquals(72.0, PrometheusText.named(samples, "ingestion_runs_total").stream()
                        .mapToDouble(Sample::value).sum());
                assertEquals(72, loki.entries().stream().map(LokiTestServer.Entry::line).distinct().count());
            }
        }
    }

    @Test
    void invalidRecordsUnreadableEventsAndRefusedLinesEndInTheDeadLetterTopic(@TempDir Path dir) throws Exception {
        String valid = "{\"Source\":\"PowerBI\",\"Objet\":\"o%d\",\"Etat\":\"SUCCESS\","
                + "\"Debut\":\"2025-09-15 10:00:00.000\",\"Fin\":\"2025-09-15 10:00:02.500\"}";
        List<String> lines = List.of(
                String.format(valid, 1),
                "{broken json",
                "[1,2,3]",
                "{\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00\"}",
                "{\"Source\":\"S\",\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Debut\":\"15/09/2025 10h\"}",
                "{\"Source\":\"S\",\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00\",\"cpu_time\":-1}",
                "{\"Source\":\"S\",\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00\",\"memory_used\":\"big\"}",
                String.format(valid, 2).replace("\"Etat\":\"SUCCESS\"", "\"Etat\":\"FAILED\",\"Description\":\"REFUSE_ME\""),
                String.format(valid, 3));
        Path file = dir.resolve("mixed.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer()) {
            loki.refuseLinesMatching(line -> line.contains("REFUSE_ME"), LokiTestServer.PartialMode.STRICT);
            Map<String, String> props = properties("mixed", port, loki, file.toString());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("mixed", "garbage", "not an event".getBytes())).get();
            }
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                    Duration.ofMinutes(1))) {
                Await.until("producer finished", () -> app.summary().isFinished());
                assertEquals(3, app.summary().publishedCount());
                assertEquals(6, app.summary().rejectedCount());

                List<JsonNode> dlq = KafkaTopics.readJson(broker.bootstrapServers(), "mixed.dlq", 8);
                Map<String, Long> reasons = dlq.stream().collect(Collectors.groupingBy(
                        d -> d.get("stage").asText() + "/" + d.get("reason").asText(), Collectors.counting()));
                assertEquals(Map.of("read/invalid_json", 1L, "read/not_an_object", 1L, "read/missing_field", 1L,
                        "read/bad_timestamp", 1L, "read/negative_value", 1L, "read/wrong_type", 1L,
                        "consume/unreadable_event", 1L, "loki/loki_rejected", 1L), reasons);
                JsonNode badTimestamp = dlq.stream().filter(d -> d.get("reason").asText().equals("bad_timestamp"))
                        .findFirst().orElseThrow();
                assertEquals("Debut: '15/09/2025 10h' is not a timestamp", badTimestamp.get("error").asText());
                assertEquals("mixed.jsonl", badTimestamp.get("file").asText());
                assertEquals("line 5", badTimestamp.get("position").asText());
                assertEquals(lines.get(4), badTimestamp.get("original").asText());
                JsonNode refused = dlq.stream().filter(d -> d.get("stage").asText().equals("loki"))
                        .findFirst().orElseThrow();
                assertTrue(refused.get("error").asText().contains("too old"), refused.toString());
                assertTrue(refused.get("original").asText().contains("REFUSE_ME"));

                String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
                Await.until("dead letters counted", () -> Scrape.total(metricsUrl, "ingestion_dead_letters_total") == 8.0);
                assertEquals(2, loki.entries().size());
                assertEquals(3, Scrape.total(metricsUrl, "ingestion_runs_total"));
                Await.until("offsets committed past the refused and unreadable records",
                        () -> KafkaTopics.committed(broker.bootstrapServers(), "mixed-group") == 4);
            }
        }
    }

    @Test
    void aTakenMetricsPortStopsTheApplicationWithAClearMessage() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0);
             LokiTestServer loki = new LokiTestServer()) {
            Map<String, String> props = properties("port-taken", taken.getLocalPort(), loki, "logs.json");
            IllegalStateException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> PipelineApp.start(Role.ALL, broker.bootstrapServers(), props, Duration.ofMinutes(1)));
            String message = error.getMessage() + " / " + error.getCause();
            assertTrue(message.contains(Integer.toString(taken.getLocalPort())), message);
        }
    }



    private static double single(List<Sample> samples, String name) {
        List<Sample> found = PrometheusText.named(samples, name);
        assertEquals(1, found.size(), name);
        return found.get(0).value();
    }

    private static Set<String> sampleEventLines() throws Exception {
        RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        Set<String> lines = new HashSet<>();
        try (InputRecordStream stream = InputRecordStream.open(Path.of("logs.json"), validator)) {
            stream.forEachRemaining(r -> lines.add(new String(EventJson.write(restructurer.restructure(r.run())),
                    StandardCharsets.UTF_8)));
        }
        return lines;
    }



}
