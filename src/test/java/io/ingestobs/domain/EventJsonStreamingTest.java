package io.ingestobs.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The consumer reads events with a streaming pass and leaves anything unusual to the tree reader: whatever the
 * bytes, {@link EventJson#read} must give exactly what the tree reader gives (the same event, or a refusal with
 * the same message).
 */
class EventJsonStreamingTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SPEC_EXAMPLE = EventJsonTest.SPEC_EXAMPLE;

    @Test
    void writtenEventsAreReadByTheStreamingPassAsTheTreeReadsThem() throws EventFormatException {
        Random random = new Random(42);
        String[] texts = {"PowerBI", "zohobooks", "é€😀 \" \\ \n\t", "x", "__other__", "1-Raw", "a".repeat(300)};
        for (int i = 0; i < 20_000; i++) {
            Instant fin = Instant.ofEpochMilli(random.nextLong() % 4_000_000_000_000L + 1_000_000_000_000L);
            Instant debut = random.nextInt(5) == 0 ? null : fin.minusMillis(random.nextInt(10_000_000));
            boolean noFin = debut != null && random.nextInt(5) == 0;
            IngestionEvent event = new IngestionEvent(noFin ? debut : fin, pick(random, texts),
                    random.nextInt(4) == 0 ? null : random.nextLong(), pick(random, texts),
                    random.nextInt(3) == 0 ? null : pick(random, texts),
                    random.nextInt(3) == 0 ? "FAILED" : random.nextInt(2) == 0 ? "SUCCESS" : "RUNNING",
                    debut, noFin ? null : fin, random.nextInt(3) == 0 ? null : pick(random, texts),
                    random.nextInt(5) == 0 ? (long) random.nextInt(5_000_000) : null,
                    random.nextInt(4) == 0 ? null : random.nextDouble() * Math.pow(10, random.nextInt(12) - 4),
                    random.nextInt(4) == 0 ? null : (double) random.nextInt(1000) / 7,
                    random.nextInt(4) == 0 ? null : Math.abs(random.nextLong()),
                    pick(random, texts), pick(random, texts), random.nextBoolean(), random.nextBoolean());
            byte[] bytes = EventJson.write(event);
            IngestionEvent streamed = EventJson.readStreaming(bytes);
            assertNotNull(streamed, () -> new String(bytes, StandardCharsets.UTF_8));
            assertEquals(EventJson.readTree(bytes), streamed);
            assertEquals(event, streamed);
        }
    }

    @Test
    void oddAndBrokenEventsGetTheTreeReadersAnswer() throws IOException {
        List<String> variants = new ArrayList<>();
        variants.add(SPEC_EXAMPLE);
        for (int cut = 0; cut < SPEC_EXAMPLE.length(); cut += 7) {
            variants.add(SPEC_EXAMPLE.substring(0, cut));
        }
        variants.add(SPEC_EXAMPLE + " trailing");
        variants.add(SPEC_EXAMPLE + "{}");
        variants.addAll(List.of("", " ", "null", "[]", "[1,", "42", "\"text\"", "{}", "{\"a\":1}", "garbage"));
        JsonNode[] replacements = {JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.textNode(""),
                JsonNodeFactory.instance.textNode("1"), JsonNodeFactory.instance.textNode("2025-09-15T10:30:00Z"),
                JsonNodeFactory.instance.numberNode(1), JsonNodeFactory.instance.numberNode(2),
                JsonNodeFactory.instance.numberNode(1.0), JsonNodeFactory.instance.numberNode(1.5),
                JsonNodeFactory.instance.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
                JsonNodeFactory.instance.numberNode(-7L), JsonNodeFactory.instance.numberNode(Long.MAX_VALUE),
                JsonNodeFactory.instance.booleanNode(true), JsonNodeFactory.instance.arrayNode(),
                JsonNodeFactory.instance.objectNode(), null};
        ObjectNode example = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        for (String pointer : paths(example, "")) {
            for (JsonNode replacement : replacements) {
                ObjectNode copy = example.deepCopy();
                int slash = pointer.lastIndexOf('/');
                JsonNode parent = copy.at(pointer.substring(0, slash));
                String field = pointer.substring(slash + 1);
                if (replacement == null) {
                    ((ObjectNode) parent).remove(field);
                } else {
                    ((ObjectNode) parent).set(field, replacement);
                }
                variants.add(MAPPER.writeValueAsString(copy));
            }
        }
        // repeated names: the tree keeps the last one
        variants.add(SPEC_EXAMPLE.replace("\"etat\":\"SUCCESS\",", "\"etat\":\"FAILED\",\"etat\":\"SUCCESS\","));
        variants.add(SPEC_EXAMPLE.replace("\"source\":{", "\"source\":{\"name\":\"Other\"},\"source\":{"));
        variants.add(SPEC_EXAMPLE.replace("{\"name\":\"PowerBI\"", "{\"name\":\"A\",\"name\":\"PowerBI\""));
        variants.add(SPEC_EXAMPLE.replace("\"metrics\":{", "\"metrics\":{\"high_cpu_usage\":1,"));
        variants.add(SPEC_EXAMPLE.replace("\"@version\":\"1\",", "\"@version\":\"1\",\"extra\":{\"a\":[1,{\"b\":2}]},"));
        for (String time : List.of("2025-09-15T10:30:00Z", "2025-09-15T10:30:00.123456Z", "2024-02-29T10:30:00.000Z",
                "2025-02-29T10:30:00.000Z", "2025-09-15T24:00:00.000Z", "2025-09-15T23:59:60.000Z",
                "2025-13-15T10:30:00.000Z", "2025-09-31T10:30:00.000Z", "0000-01-01T00:00:00.000Z",
                "2025-09-15t10:30:00.000z", "2025-09-15T10:30:00.000+02:00", "2025-09-15 10:30:00.000Z",
                "2025-09-15T10:30:0a.000Z", "+2025-09-15T10:30:00.00Z", "2025-09-15T10:30:00.-01Z")) {
            variants.add(SPEC_EXAMPLE.replace("\"@timestamp\":\"2025-09-15T10:30:00.000Z\"",
                    "\"@timestamp\":\"" + time + "\""));
            variants.add(SPEC_EXAMPLE.replace("\"debut\":\"2025-09-15T10:29:58.846Z\"", "\"debut\":\"" + time + "\""));
        }
        for (String variant : variants) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            assertEquals(answer(() -> EventJson.readTree(bytes)), answer(() -> EventJson.read(bytes)), variant);
        }
    }

    @Test
    void canonicalInstantsAreReadAsInstantParseReadsThem() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", random.nextInt(10_000),
                    random.nextInt(14), random.nextInt(33), random.nextInt(26), random.nextInt(61),
                    random.nextInt(62), random.nextInt(1000));
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException e) {
                expected = null;
            }
            assertEquals(expected, EventJson.instant(text), text);
        }
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static List<String> paths(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            paths.add(prefix + "/" + name);
            if (node.get(name).isObject()) {
                paths.addAll(paths(node.get(name), prefix + "/" + name));
            }
        }
        return paths;
    }

    private interface Read {
        IngestionEvent read() throws EventFormatException;
    }

    private static String answer(Read read) {
        try {
            return "event " + read.read();
        } catch (EventFormatException e) {
            return "refused: " + e.getMessage();
        }
    }
}
