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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        int canonicalReads = 0;
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
            // the writer's own form is read without a parser, but for strings with escapes (left to the parser)
            IngestionEvent canonical = CanonicalEventReader.read(bytes);
            if (new String(bytes, StandardCharsets.UTF_8).indexOf('\\') < 0) {
                assertNotNull(canonical, () -> new String(bytes, StandardCharsets.UTF_8));
                canonicalReads++;
            }
            if (canonical != null) {
                assertEquals(event, canonical);
            }
            assertEquals(event, EventJson.read(bytes));
        }
        assertTrue(canonicalReads > 5_000, "events without escapes: " + canonicalReads);
    }

    @Test
    void numbersInTheWritersFormAreReadAsTheTreeReadsThem() throws EventFormatException {
        Random random = new Random(11);
        List<String> numbers = new ArrayList<>(List.of("0", "-0", "0.0", "-0.0", "1", "5.0", "1.154133", "0.11",
                "1.0E-4", "1.0e-4", "2.5E7", "1E+2", "123456789012345", "1234567890123456", "12345678901234567890",
                "0.1234567890123456789", "9007199254740993", "9007199254740993.0", "4.35", "1e400", "1e-400",
                "00", "01", "1.", ".5", "-", "+1", "1e", "1.5.5", "0x10", "NaN", "1 ", "\"1\""));
        for (int i = 0; i < 50_000; i++) {
            StringBuilder digits = new StringBuilder();
            int count = 1 + random.nextInt(17);
            for (int d = 0; d < count; d++) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            String integer = digits.toString().replaceFirst("^0+(?=.)", "");
            int point = random.nextInt(integer.length() + 1);
            String text = point == integer.length() ? integer
                    : (point == 0 ? "0" : integer.substring(0, point)) + "." + integer.substring(point);
            numbers.add(random.nextBoolean() ? "-" + text : text);
        }
        for (String number : numbers) {
            for (String field : List.of("duree_secondes", "cpu_time_sec", "memory_used_bytes")) {
                String json = SPEC_EXAMPLE.replaceFirst("\"" + field + "\":[^,}]*", "\"" + field + "\":"
                        + java.util.regex.Matcher.quoteReplacement(number));
                byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                assertEquals(answer(() -> EventJson.readTree(bytes)), answer(() -> EventJson.read(bytes)), json);
            }
            String id = SPEC_EXAMPLE.replace("\"id\":1224", "\"id\":" + number);
            byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
            assertEquals(answer(() -> EventJson.readTree(bytes)), answer(() -> EventJson.read(bytes)), id);
        }
        // the fast path is taken, not only the fallback
        assertNotNull(CanonicalEventReader.read(SPEC_EXAMPLE.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1.154133, CanonicalEventReader.read(SPEC_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .dureeSecondes());
    }

    @Test
    void utf8InTheWritersFormIsReadAsTheTreeReadsItWellFormedOrNot() {
        // in a string read, in strings checked and not kept (outcome, labels.etat), and in an instant
        for (String field : List.of("\"description\":\"...\"", "\"outcome\":\"success\"",
                "\"labels\":{\"etat\":\"SUCCESS\"", "\"debut\":\"2025-09-15T10:29:58.846Z\"")) {
            String name = field.substring(0, field.lastIndexOf(":\""));
            utf8InAStringIsReadAsTheTreeReadsIt(SPEC_EXAMPLE.replace(field, name + ":\"ABCD\"")
                    .getBytes(StandardCharsets.UTF_8));
        }
        // labels and names too: the source with an accent
        byte[] accented = SPEC_EXAMPLE.replace("PowerBI\"", "Pöwer€BI😀\"").getBytes(StandardCharsets.UTF_8);
        assertNotNull(CanonicalEventReader.read(accented));
        assertEquals(answer(() -> EventJson.readTree(accented)), answer(() -> EventJson.read(accented)));
    }

    private static void utf8InAStringIsReadAsTheTreeReadsIt(byte[] example) {
        int at = new String(example, StandardCharsets.ISO_8859_1).indexOf("ABCD");
        byte[][] sequences = {"é".getBytes(StandardCharsets.UTF_8), "€".getBytes(StandardCharsets.UTF_8),
                "😀".getBytes(StandardCharsets.UTF_8), "\uFFFD".getBytes(StandardCharsets.UTF_8),
                {(byte) 0xC3}, {(byte) 0xC3, 'x'}, {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0xAF},
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80,
                (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {0x7F}, {0x01}, {'\t'},
                {'\\', 'n'}, {'\\', 'u', '0', '0', 'e', '9'}, {'\\'}};
        for (byte[] sequence : sequences) {
            for (int offset = 0; offset <= 4; offset++) {
                byte[] bytes = new byte[example.length - 4 + offset + sequence.length];
                System.arraycopy(example, 0, bytes, 0, at);
                System.arraycopy("ABCD".getBytes(StandardCharsets.US_ASCII), 0, bytes, at, offset);
                System.arraycopy(sequence, 0, bytes, at + offset, sequence.length);
                System.arraycopy(example, at + 4, bytes, at + offset + sequence.length, example.length - at - 4);
                assertEquals(answer(() -> EventJson.readTree(bytes)), answer(() -> EventJson.read(bytes)),
                        new String(bytes, StandardCharsets.ISO_8859_1));
            }
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
        variants.add(SPEC_EXAMPLE + " ");
        variants.add(" " + SPEC_EXAMPLE);
        variants.add(SPEC_EXAMPLE.replace(",", ", "));
        variants.add(SPEC_EXAMPLE.replace(":", " :"));
        variants.add("\uFEFF" + SPEC_EXAMPLE);
        variants.add(SPEC_EXAMPLE.replace("\"description\":\"...\",", "\"description\":\"...\","
                + "\"description_truncated\":true,\"description_bytes\":70000,"));
        variants.add(SPEC_EXAMPLE.replace("\"description\":\"...\",", "\"description\":\"...\","
                + "\"description_bytes\":70000,"));
        variants.add(SPEC_EXAMPLE.replace("\"description\":\"...\",", "\"description\":\"...\","
                + "\"description_truncated\":false,\"description_bytes\":70000,"));
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
