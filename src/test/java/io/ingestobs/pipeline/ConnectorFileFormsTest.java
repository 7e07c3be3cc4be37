package io.ingestobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ingestobs.camel.ProducerSummary;
import io.ingestobs.domain.Utf8Cut;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.Scrape;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files as connectors really write them (SPEC §2), each published by the shipped routes to a real KRaft broker,
 * as a user runs {@code ROLE=producer}: a long stack trace, a record too large for the topic, a BOM with CRLF,
 * gzip (whole and cut short, by LOGS_FILE_PATH and INPUT_DIR), Python and epoch timestamps. Every file is fully
 * accounted for: records read = published + sent to the DLQ, and the producer exits 0 once something went out.
 */
class ConnectorFileFormsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private static ObjectNode run(int n, Consumer<ObjectNode> change) {
        ObjectNode run = JSON.createObjectNode();
        run.put("id", n);
        run.put("Source", "PowerBI");
        run.put("Objet", "objet-" + n);
        run.put("Transformation", "PowerBI_API_get_data");
        run.put("Etat", "SUCCESS");
        run.put("Debut", "2025-09-15 10:29:58.846");
        run.put("Fin", "2025-09-15 10:30:00.000");
        run.put("memory_used", 5849088);
        run.put("Description", "run " + n);
        run.put("zone", "1-Raw");
        run.put("entreprise", "akonovia");
        change.accept(run);
        return run;
    }

    private static ObjectNode run(int n) {
        return run(n, r -> { });
    }

    /** A Python traceback of about {@code bytes} bytes, with non-ASCII text so that the cut has to mind UTF-8. */
    private static String stackTrace(int bytes) {
        StringBuilder trace = new StringBuilder("Traceback (most recent call last): échec de l'export €\n");
        for (int i = 0; trace.length() < bytes; i++) {
            trace.append("  File \"/opt/connecteurs/powerbi.py\", line ").append(i).append(", in fetch 😀\n");
        }
        return trace.toString();
    }

    /** Text lz4 cannot shrink much: the producer compresses its batches, and the broker's limit is on them. */
    private static String incompressible(int bytes) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        StringBuilder text = new StringBuilder(bytes);
        while (text.length() < bytes) {
            text.append((char) ('!' + random.nextInt(90)));
        }
        return text.toString().replace("\\", "/");
    }

    private static Path jsonLines(Path dir, String name, List<ObjectNode> runs) throws IOException {
        List<String> lines = new ArrayList<>();
        runs.forEach(r -> lines.add(r.toString()));
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static Map<String, String> topics(String prefix, Path file) {
        broker.createTopics(3, prefix, prefix + ".dlq");
        Map<String, String> props = new HashMap<>();
        props.put("kafka.topic", prefix);
        props.put("kafka.dlqTopic", prefix + ".dlq");
        props.put("kafka.groupId", prefix + "-group");
        props.put("input.file", file.toString());
        return props;
    }

    /** {@code ROLE=producer} over {@code file}: the process ends by itself, every record accounted for. */
    private static ProducerSummary produce(Map<String, String> props) throws Exception {
        try (PipelineApp app = PipelineApp.start(Role.PRODUCER, broker.bootstrapServers(), props,
                Duration.ofMinutes(1))) {
            assertTrue(app.awaitStopped(Duration.ofMinutes(2)), "the producer ends by itself");
            ProducerSummary summary = app.summary();
            assertEquals(summary.readCount(), summary.publishedCount() + summary.rejectedCount(),
                    "read = published + rejected");
            assertEquals(0, summary.exitCode(), "something was published: exit 0");
            return summary;
        }
    }

    private static void assertCounts(ProducerSummary summary, long read, long published, long rejected) {
        assertEquals(List.of(read, published, rejected),
                List.of(summary.readCount(), summary.publishedCount(), summary.rejectedCount()),
                "read, published, rejected");
    }

    @Test
    void aTwoMegabyteStackTraceIsCutWithItsMarkerPublishedCountedAndInLoki(@TempDir Path dir) throws Exception {
        String trace = stackTrace(2_000_000);
        long traceBytes = trace.getBytes(StandardCharsets.UTF_8).length;
        Path file = jsonLines(dir, "runs.jsonl", List.of(run(1),
                run(2, r -> r.put("Etat", "FAILED").put("Description", trace)), run(3)));
        int port = EmbeddedKafkaBroker.freePort();
        try (LokiTestServer loki = new LokiTestServer()) {
            Map<String, String> props = topics("longtrace", file);
            props.put("camel.management.port", Integer.toString(port));
            props.put("loki.url", loki.url());
            props.put("loki.batch.maxWaitMs", "200");
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                    Duration.ofMinutes(1))) {
                Await.until("producer finished", () -> app.summary().isFinished());
                assertCounts(app.summary(), 3, 3, 0);
                assertEquals(0, app.summary().exitCode());

                String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
                Await.until("3 runs counted", () -> Scrape.total(metricsUrl, "ingestion_runs_total") == 3);
                assertEquals(1.0, Scrape.total(metricsUrl, "ingestion_failures_total"));
                Await.until("3 lines in Loki", () -> loki.entries().size() == 3);
                JsonNode failed = null;
                for (LokiTestServer.Entry entry : loki.entries()) {
                    JsonNode event = JSON.readTree(entry.line());
                    if (event.get("etat").asText().equals("FAILED")) {
                        failed = event;
                        assertEquals("error", entry.labels().get("level"));
                    } else {
                        assertFalse(event.has("description_truncated"), "a short description is untouched");
                    }
                }
                assertTrue(failed != null, "the failed run reached Loki");
                String description = failed.get("description").asText();
                assertTrue(description.endsWith(Utf8Cut.MARKER), "visible marker");
                assertTrue(trace.startsWith(description.substring(0, description.length() - Utf8Cut.MARKER.length())));
                assertTrue(description.getBytes(StandardCharsets.UTF_8).length <= 65_536);
                assertTrue(failed.get("description_truncated").asBoolean());
                assertEquals(traceBytes, failed.get("description_bytes").asLong());
            }
        }
        assertEquals(0, KafkaTopics.endOffsets(broker.bootstrapServers(), "longtrace.dlq"));
    }

    @Test
    void aRecordTooLargeEvenWithItsDescriptionCutGoesToTheDlqAndTheFileGoesOn(@TempDir Path dir) throws Exception {
        String huge = "x".repeat(1_500_000);
        List<ObjectNode> runs = List.of(run(1), run(2, r -> r.put("Transformation", huge)), run(3),
                run(4, r -> r.put("Description", stackTrace(3_000_000))));
        for (boolean array : new boolean[] {false, true}) {
            String prefix = array ? "toolarge-array" : "toolarge-lines";
            Path file = array ? Files.writeString(dir.resolve("runs.json"), JSON.valueToTree(runs).toString())
                    : jsonLines(dir, "runs.jsonl", runs);
            ProducerSummary summary = produce(topics(prefix, file));
            assertCounts(summary, 4, 3, 1);

            List<JsonNode> events = KafkaTopics.readJson(broker.bootstrapServers(), prefix, 3);
            assertEquals(List.of("objet-1", "objet-3", "objet-4"), events.stream()
                    .map(e -> e.at("/objet/name").asText()).sorted().toList(), "the records after it went on");
            JsonNode letter = KafkaTopics.readJson(broker.bootstrapServers(), prefix + ".dlq", 1).get(0);
            assertEquals("read", letter.get("stage").asText());
            assertEquals("too_large", letter.get("reason").asText());
            assertEquals(array ? "record 2" : "line 2", letter.get("position").asText());
            assertTrue(letter.get("error").asText().contains("max.request.size (1048576)"), letter.get("error").asText());
            String original = letter.get("original").asText();
            assertTrue(original.startsWith("{\"id\":2,"), original.substring(0, 40));
            assertTrue(original.endsWith(Utf8Cut.MARKER), "the original is cut, visibly");
            assertTrue(original.length() < 1_048_576);
        }
    }

    @Test
    void aTopicWithASmallerLimitThanTheProducersRefusesOneRecordNotTheFile(@TempDir Path dir) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("smalltopic", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "100000")))).all().get(30, TimeUnit.SECONDS);
        }
        Path file = jsonLines(dir, "runs.jsonl", List.of(run(1),
                run(2, r -> r.put("Description", incompressible(300_000))), run(3)));
        Map<String, String> props = topics("smalltopic", file);
        props.put("input.descriptionMaxBytes", "500000");
        ProducerSummary summary = produce(props);
        assertCounts(summary, 3, 2, 1);
        KafkaTopics.readJson(broker.bootstrapServers(), "smalltopic", 2);
        JsonNode letter = KafkaTopics.readJson(broker.bootstrapServers(), "smalltopic.dlq", 1).get(0);
        assertEquals("too_large", letter.get("reason").asText());
        assertEquals("line 2", letter.get("position").asText());
        assertTrue(letter.get("error").asText().startsWith("the topic refused the event as too large"),
                letter.get("error").asText());
    }

    /**
     * A JSON array of 24,000 runs of five sources (several groups of records), with invalid records here and there
     * and a syntax error after the last: every record is on the topic or in the DLQ once, each letter with its
     * reason and position, the broken end as one {@code rest_of_file}, and each source's runs in file order.
     */
    @Test
    void aLargeArrayWithInvalidRecordsAndABrokenEndIsAccountedForRecordByRecordInOrderPerSource(@TempDir Path dir)
            throws Exception {
        String[] sources = {"PowerBI", "Efficy", "sharepoint_graph", "EasyProjects", "zohobooks"};
        int records = 24_000;
        Map<Integer, String> rejected = new TreeMap<>();
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 1; i <= records; i++) {
            int n = i;
            ObjectNode run = run(n, r -> r.put("Source", sources[n % sources.length]));
            if (n % 997 == 0) {
                run.remove("Source");
                rejected.put(n, "missing_field");
            } else if (n % 1499 == 0) {
                run.put("Debut", "15/09/2025 10h");
                rejected.put(n, "bad_timestamp");
            }
            json.append(run).append(",\n");
        }
        // record 24001 breaks the array: it and what follows cannot be split into records
        json.append("{\"id\": 24001, \"Source\": PowerBI}, ").append(run(24_002)).append("]\n");
        rejected.put(records + 1, "rest_of_file");
        Path file = Files.writeString(dir.resolve("export.json"), json);
        int published = records - (rejected.size() - 1);

        ProducerSummary summary = produce(topics("largefile", file));

        assertCounts(summary, records + 1, published, rejected.size());
        assertEquals(published, KafkaTopics.endOffsets(broker.bootstrapServers(), "largefile"));
        List<JsonNode> letters = KafkaTopics.readJson(broker.bootstrapServers(), "largefile.dlq", rejected.size());
        Map<Integer, String> lettered = new TreeMap<>();
        for (JsonNode letter : letters) {
            assertEquals("read", letter.get("stage").asText());
            lettered.put(Integer.parseInt(letter.get("position").asText().replace("record ", "")),
                    letter.get("reason").asText());
        }
        assertEquals(rejected, lettered, "each rejected record once, at its position, with its reason");
        Map<String, Integer> lastId = new HashMap<>();
        for (JsonNode event : KafkaTopics.readJson(broker.bootstrapServers(), "largefile", published)) {
            String source = event.get("source").get("name").asText();
            int id = event.get("objet").get("id").asInt();
            Integer before = lastId.put(source, id);
            assertTrue(before == null || before < id, source + ": run " + id + " came after run " + before);
        }
        assertEquals(sources.length, lastId.size());
    }

    /**
     * A record on the topic is its key and its event, as a plain Kafka producer would send them (SPEC §3), and a
     * dead letter its letter: the route's own header (the input file's path) is not sent along with every record.
     */
    @Test
    void aTopicRecordIsItsKeyAndItsEventAndNothingElse(@TempDir Path dir) throws Exception {
        Path file = jsonLines(dir, "runs.jsonl", List.of(run(1), run(2, r -> r.put("Source", "Efficy")),
                run(3, r -> r.put("Debut", "15/09/2025 10h"))));
        ProducerSummary summary = produce(topics("bare", file));
        assertCounts(summary, 3, 2, 1);
        for (String topic : List.of("bare", "bare.dlq")) {
            List<ConsumerRecord<String, byte[]>> records = readRecords(topic, topic.equals("bare") ? 2 : 1);
            for (ConsumerRecord<String, byte[]> record : records) {
                assertEquals(0, record.headers().toArray().length, () -> topic + " record with headers: "
                        + Arrays.toString(record.headers().toArray()));
                JsonNode value = JSON.readTree(record.value());
                if (topic.equals("bare")) {
                    assertEquals(value.at("/source/name").asText(), record.key());
                } else {
                    assertEquals("bad_timestamp", value.get("reason").asText());
                }
            }
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readRecords(String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "group.id", "raw-reader-" + System.nanoTime(), "auto.offset.reset",
                "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        assertEquals(expected, records.size(), topic);
        return records;
    }

    @Test
    void aBomAndCrlfLineEndsLoseNothing(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("\uFEFF");
        for (int i = 1; i <= 5; i++) {
            text.append(run(i)).append(i == 3 ? "\r\n\r\n" : "\r\n");
        }
        Path file = Files.writeString(dir.resolve("windows.jsonl"), text, StandardCharsets.UTF_8);
        assertEquals((byte) 0xEF, Files.readAllBytes(file)[0]);
        ProducerSummary summary = produce(topics("bom", file));
        assertCounts(summary, 5, 5, 0);
        KafkaTopics.readJson(broker.bootstrapServers(), "bom", 5);
    }

    @Test
    void gzipFilesWholeAndCutShort(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append(run(i, r -> r.put("Description", "run with a description long enough to span blocks "
                    + r.get("id") + " " + "é".repeat(40)))).append('\n');
        }
        byte[] whole = gzip(text.toString().getBytes(StandardCharsets.UTF_8));
        Path file = Files.write(dir.resolve("runs.jsonl.gz"), whole);
        assertCounts(produce(topics("gzip", file)), 2000, 2000, 0);
        KafkaTopics.readJson(broker.bootstrapServers(), "gzip", 2000);

        Path cut = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(whole, whole.length / 2));
        ProducerSummary summary = produce(topics("gzipcut", cut));
        assertEquals(1, summary.rejectedCount(), "the rest of the file, once");
        assertTrue(summary.publishedCount() > 100 && summary.publishedCount() < 2000, "" + summary.publishedCount());
        List<JsonNode> events = KafkaTopics.readJson(broker.bootstrapServers(), "gzipcut",
                (int) summary.publishedCount());
        assertEquals(summary.publishedCount(), events.stream().map(e -> e.at("/objet/name").asText()).distinct()
                .count());
        JsonNode rest = KafkaTopics.readJson(broker.bootstrapServers(), "gzipcut.dlq", 1).get(0);
        assertEquals("rest_of_file", rest.get("reason").asText());
        assertEquals("line " + (summary.publishedCount() + 1), rest.get("position").asText());
        assertTrue(rest.get("error").asText().contains("gzip file is cut short"), rest.get("error").asText());
    }

    @Test
    void aGzipFileDroppedIntoTheInputDirectoryIsRead(@TempDir Path dir) throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        Map<String, String> props = topics("inbox", empty);
        props.put("input.dirEnabled", "true");
        props.put("input.dir", inbox.toString());
        props.put("input.stateFile", dir.resolve("ingested.txt").toString());
        props.put("camel.management.port", Integer.toString(EmbeddedKafkaBroker.freePort()));
        // the producer side only: ROLE=producer would end after LOGS_FILE_PATH, before the directory is read
        props.put("consumer.enabled", "false");
        StringBuilder array = new StringBuilder("\uFEFF[");
        for (int i = 0; i < 300; i++) {
            array.append(i == 0 ? "" : ",\r\n").append(run(i));
        }
        array.append("]");
        try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props, Duration.ofMinutes(1))) {
            Path staged = Files.write(dir.resolve("export.json.gz"), gzip(array.toString().getBytes(StandardCharsets.UTF_8)));
            Files.move(staged, inbox.resolve("export.json.gz"));
            Await.until("the dropped file published", () -> app.summary().publishedCount() == 300);
            assertEquals(0, app.summary().rejectedCount());
            assertEquals(300, app.summary().readCount());
        }
        KafkaTopics.readJson(broker.bootstrapServers(), "inbox", 300);
    }

    @Test
    void pythonAndEpochTimestampsAreReadAndOtherFormsAreBadTimestampsWithTheirValue(@TempDir Path dir)
            throws Exception {
        Path file = jsonLines(dir, "times.jsonl", List.of(
                run(1, r -> r.put("Debut", "2025-09-15 10:29:58,846").put("Fin", "2025-09-15 10:30:00,000")),
                run(2, r -> r.put("Debut", 1757932198).put("Fin", 1757932200)),
                run(3, r -> r.put("Debut", 1757932198846L).put("Fin", 1757932200000L)),
                run(4, r -> r.put("Debut", "2025-09-15T10:29:58.846123456Z").put("Fin", "2025-09-15T12:30:00+02:00")),
                run(5, r -> r.put("Fin", 1757932200000000L)),
                run(6, r -> r.put("Fin", "15/09/2025 10h30"))));
        ProducerSummary summary = produce(topics("times", file));
        assertCounts(summary, 6, 4, 2);
        List<JsonNode> events = KafkaTopics.readJson(broker.bootstrapServers(), "times", 4);
        for (JsonNode event : events) {
            String objet = event.at("/objet/name").asText();
            assertEquals("2025-09-15T10:30:00.000Z", event.get("fin").asText(), objet);
            assertEquals(objet.equals("objet-2") ? "2025-09-15T10:29:58.000Z" : "2025-09-15T10:29:58.846Z",
                    event.get("debut").asText(), objet);
        }
        List<JsonNode> letters = KafkaTopics.readJson(broker.bootstrapServers(), "times.dlq", 2);
        Map<String, String> errors = new HashMap<>();
        letters.forEach(l -> {
            assertEquals("bad_timestamp", l.get("reason").asText());
            errors.put(l.get("position").asText(), l.get("error").asText());
        });
        assertEquals(Map.of("line 5", "Fin: 1757932200000000 is not epoch seconds or milliseconds",
                "line 6", "Fin: '15/09/2025 10h30' is not a timestamp"), errors);
    }
}
