package io.ingestobs.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.Scrape;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file of 1,200 malformed records mixed with 1,000 valid runs whose labels are hostile (quotes, backslashes,
 * newlines, emoji, 5,000-character names, 1,500 distinct Objet values against a cap of 100). Every rejected
 * record is in the DLQ with its reason, every valid run is counted once and is in Loki, and what Prometheus and
 * Loki receive stays valid.
 */
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VALID = 1000;
    private static final int MALFORMED = 1200;
    private static final String[] HOSTILE_NAMES = {"quote\"inside", "back\\slash", "new\nline", "tab\tand } brace",
            "Données – été 🚀", "x".repeat(5000), "{\"json\":\"in a label\"}", "=~\".*\""};

    @Test
    void malformedRecordsAreAccountedForAndHostileLabelsStayValid(@TempDir Path dir) throws Exception {
        Random random = new Random(42);
        List<String> lines = new ArrayList<>();
        Map<String, Long> expectedReasons = new TreeMap<>();
        Set<String> validObjets = new HashSet<>();
        int valid = 0;
        int malformed = 0;
        while (valid < VALID || malformed < MALFORMED) {
            boolean makeValid = malformed >= MALFORMED || (valid < VALID && random.nextBoolean());
            if (makeValid) {
                String objet = valid < HOSTILE_NAMES.length * 10 ? HOSTILE_NAMES[valid % HOSTILE_NAMES.length]
                        + "#" + valid : "objet-" + (valid % 1500);
                validObjets.add(objet);
                lines.add(validRun(valid, objet).toString());
                valid++;
            } else {
                String[] bad = malformed(malformed);
                lines.add(bad[1]);
                expectedReasons.merge(bad[0], 1L, Long::sum);
                malformed++;
            }
        }
        Path file = dir.resolve("hostile.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
             LokiTestServer loki = new LokiTestServer()) {
            broker.createTopics(3, "hostile", "hostile.dlq");
            int port = EmbeddedKafkaBroker.freePort();
            String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
            try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), Map.of(
                    "kafka.topic", "hostile", "kafka.dlqTopic", "hostile.dlq", "kafka.groupId", "hostile-group",
                    "camel.management.port", Integer.toString(port), "loki.url", loki.url(),
                    "loki.batch.maxWaitMs", "200", "input.file", file.toString(),
                    "labels.cardinalityLimit", "100"), Duration.ofMinutes(1))) {
                Await.until("producer finished", () -> app.summary().isFinished());
                assertEquals(VALID, app.summary().publishedCount());
                assertEquals(MALFORMED, app.summary().rejectedCount());

                Await.until("every valid run in Loki", () -> loki.distinctLines().size() == VALID);
                Await.until("every run counted", () -> Scrape.total(metricsUrl, "ingestion_runs_total") == VALID);

                // the DLQ holds each malformed record once, with the reason the generator expected
                List<JsonNode> dlq = KafkaTopics.readJson(broker.bootstrapServers(), "hostile.dlq", MALFORMED);
                dlq.forEach(letter -> assertEquals("read", letter.get("stage").asText()));
                Map<String, Long> reasons = dlq.stream().collect(
                        Collectors.groupingBy(d -> d.get("reason").asText(), TreeMap::new, Collectors.counting()));
                assertEquals(expectedReasons, reasons);
                Await.until("dead letters counted", () -> Scrape.total(metricsUrl, "ingestion_dead_letters_total") == MALFORMED);

                // Prometheus' exposition still parses, and the objet label is capped
                List<Sample> samples = PrometheusText.parse(Http.get(metricsUrl).body());
                Set<String> objetLabels = PrometheusText.named(samples, "ingestion_runs_total").stream()
                        .map(s -> s.labels().get("objet")).collect(Collectors.toSet());
                assertTrue(objetLabels.size() <= 101, "objet values exposed: " + objetLabels.size());
                assertTrue(objetLabels.contains("__other__"));
                assertTrue(objetLabels.contains("quote\"inside#0"), "hostile values survive escaping");
                assertTrue(objetLabels.contains("new\nline#2"));
                assertTrue(PrometheusText.named(samples, "ingestion_label_values_folded_total").stream()
                        .anyMatch(s -> s.labels().get("label").equals("objet") && s.value() > 0));

                // Loki: valid stream labels, bounded values, and the line keeps the full original name
                Set<String> namesInLoki = new HashSet<>();
                for (LokiTestServer.Entry entry : loki.entries()) {
                    entry.labels().values().forEach(v -> assertTrue(v.length() <= 256, v));
                    namesInLoki.add(JSON.readTree(entry.line()).at("/objet/name").asText());
                }
                assertEquals(validObjets, namesInLoki);
            }
        }
    }

    private static ObjectNode validRun(int n, String objet) {
        ObjectNode run = JSON.createObjectNode();
        run.put("id", n);
        run.put("Source", n % 7 == 0 ? "Power\"BI\\" : "zohobooks");
        run.put("Objet", objet);
        run.put("Etat", n % 50 == 0 ? "failed" : "SUCCESS");
        run.put("Debut", "2025-09-15 10:00:00.000");
        run.put("Fin", "2025-09-15T12:00:0" + (n % 10) + ".500+02:00");
        run.put("Description", "ligne 1\nligne 2 \"citée\" \\ fin");
        run.put("memory_used", 1_000_000 + n);
        run.put("entreprise", "akonovia");
        return run;
    }

    /** {reason, text} of malformed record {@code n}, cycling over every read-stage reason of SPEC §2. */
    private static String[] malformed(int n) {
        String base = "\"Source\":\"S\",\"Objet\":\"o\",\"Etat\":\"SUCCESS\"";
        return switch (n % 6) {
            case 0 -> new String[] {"invalid_json", "{\"Source\": \"S\", " + n};
            case 1 -> new String[] {"not_an_object", n % 2 == 0 ? "[" + n + "]" : "\"just a string " + n + "\""};
            case 2 -> new String[] {"missing_field", "{\"Objet\":\"o\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00\",\"id\":" + n + "}"};
            case 3 -> new String[] {"bad_timestamp", "{" + base + ",\"Fin\":\"15/09/2025 10h" + n + "\"}"};
            case 4 -> new String[] {"negative_value", "{" + base + ",\"Fin\":\"2025-09-15 10:00:00\",\"Duree secondes\":-" + (n + 1) + "}"};
            default -> new String[] {"wrong_type", "{" + base + ",\"Fin\":\"2025-09-15 10:00:00\",\"cpu_time\":\"" + n + "s\"}"};
        };
    }


}
