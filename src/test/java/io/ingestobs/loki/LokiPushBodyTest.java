package io.ingestobs.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The push body reads back, with a JSON parser, as exactly the streams, timestamps and lines that went in. */
class LokiPushBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anyLineAndLabelReadsBackAsWritten() throws IOException {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            List<LokiEntry> entries = new ArrayList<>();
            List<LokiStream> streams = new ArrayList<>();
            for (int s = 0; s < 1 + random.nextInt(4); s++) {
                streams.add(new LokiStream(text(random, 12), text(random, 6), "1-Raw", text(random, 8),
                        random.nextBoolean() ? "info" : "error"));
            }
            for (int i = 0; i < random.nextInt(60); i++) {
                entries.add(new LokiEntry(streams.get(random.nextInt(streams.size())),
                        Math.abs(random.nextLong()), text(random, random.nextInt(5) == 0 ? 3000 : 400), "k", "o"));
            }
            assertReadsBack(entries, LokiPushBody.encode(entries));
        }
    }

    @Test
    void aReusedArrayHoldsExactlyTheNewBodyWhateverItHeldBefore() throws IOException {
        Random random = new Random(5);
        LokiStream stream = new LokiStream("PowerBI", "SUCCESS", "1-Raw", "akonovia", "info");
        byte[] scratch = null;
        for (int round = 0; round < 200; round++) {
            List<LokiEntry> entries = new ArrayList<>();
            // long bodies then short ones: a short body must not carry the tail of the previous one
            int count = round % 2 == 0 ? 1 + random.nextInt(200) : random.nextInt(3);
            for (int i = 0; i < count; i++) {
                entries.add(LokiEntry.ofUtf8(stream, round * 1000L + i,
                        text(random, 300).getBytes(StandardCharsets.UTF_8), "k", "o"));
            }
            ByteBuffer body = LokiPushBody.encode(entries, scratch);
            byte[] sent = Arrays.copyOfRange(body.array(), body.position(), body.limit());
            assertArrayEquals(LokiPushBody.encode(entries), sent);
            assertReadsBack(entries, sent);
            if (scratch != null && scratch.length >= sent.length * 2) {
                assertSame(scratch, body.array(), "a large enough array is written over, not replaced");
            }
            scratch = body.array();
        }
    }

    @Test
    void anEventLineIsCarriedWhole() throws IOException {
        String line = "{\"@timestamp\":\"2025-09-15T10:30:00.000Z\",\"description\":\"1928 objets ingérés € 😀 "
                + "\\\"quoted\\\" back\\\\slash \\n\",\"x\":null}";
        LokiStream stream = new LokiStream("PowerBI", "SUCCESS", "1-Raw", "akonovia", "info");
        List<LokiEntry> entries = List.of(new LokiEntry(stream, 1757932200000000000L, line, "PowerBI", "t-0@1"),
                new LokiEntry(stream, 1757932200000000001L, "", "PowerBI", "t-0@2"));
        assertReadsBack(entries, LokiPushBody.encode(entries));
        assertEquals(0, JSON.readTree(LokiPushBody.encode(List.of())).get("streams").size());
    }

    @Test
    void aLineGivenAsBytesIsSentAsItsDecodingWouldBe() throws IOException {
        Random random = new Random(11);
        LokiStream stream = new LokiStream("PowerBI", "SUCCESS", "1-Raw", "akonovia", "info");
        for (int round = 0; round < 2000; round++) {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = text(random, 200).getBytes(StandardCharsets.UTF_8);
            } else {
                // anything at all: overlong forms, surrogates, stray continuation bytes, cut sequences
                bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
            }
            String decoded = new String(bytes, StandardCharsets.UTF_8);
            assertEquals(Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), bytes), LokiEntry.isValidUtf8(bytes),
                    () -> Arrays.toString(bytes));
            LokiEntry asBytes = LokiEntry.ofUtf8(stream, round, bytes, "k", "o");
            LokiEntry asText = new LokiEntry(stream, round, decoded, "k", "o");
            assertEquals(asText, asBytes);
            assertEquals(decoded, asBytes.line());
            for (int max : new int[] {0, 10, 50, 100, 1000}) {
                assertEquals(asText.longerThan(max), asBytes.longerThan(max));
                assertEquals(decoded.getBytes(StandardCharsets.UTF_8).length > max, asBytes.longerThan(max));
            }
            List<LokiEntry> entries = List.of(asBytes);
            assertReadsBack(entries, LokiPushBody.encode(entries));
        }
    }

    private static void assertReadsBack(List<LokiEntry> entries, byte[] body) throws IOException {
        Map<Map<String, String>, List<List<String>>> expected = new LinkedHashMap<>();
        for (LokiEntry entry : entries) {
            expected.computeIfAbsent(entry.stream().labels(), l -> new ArrayList<>())
                    .add(List.of(Long.toString(entry.epochNanos()), entry.line()));
        }
        Map<Map<String, String>, List<List<String>>> actual = new LinkedHashMap<>();
        for (JsonNode stream : JSON.readTree(body).get("streams")) {
            Map<String, String> labels = new LinkedHashMap<>();
            stream.get("stream").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().textValue()));
            List<List<String>> values = new ArrayList<>();
            for (JsonNode value : stream.get("values")) {
                values.add(List.of(value.get(0).textValue(), value.get(1).textValue()));
            }
            actual.put(labels, values);
        }
        assertEquals(expected, actual);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
    }

    /** Random text over ASCII, controls, quotes, accents, CJK, emoji (surrogate pairs) and lone surrogates. */
    private static String text(Random random, int max) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(max + 1);
        while (text.length() < length) {
            switch (random.nextInt(10)) {
                case 0 -> text.append((char) random.nextInt(0x20));
                case 1 -> text.append(random.nextBoolean() ? '"' : '\\');
                case 2 -> text.append((char) (0x80 + random.nextInt(0x780)));
                case 3 -> text.append((char) (0x800 + random.nextInt(0xD000)));
                case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 5 -> text.append((char) (0xD800 + random.nextInt(0x800)));
                case 6 -> text.append((char) 0x7F);
                default -> text.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return text.toString();
    }
}
