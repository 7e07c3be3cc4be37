package io.ingestobs.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The example event of SPEC §3, verbatim but for the description. */
    static final String SPEC_EXAMPLE = "{\"@timestamp\":\"2025-09-15T10:30:00.000Z\",\"@version\":\"1\","
            + "\"event\":{\"dataset\":\"ingestion-logs\",\"kind\":\"event\",\"outcome\":\"success\"},"
            + "\"source\":{\"name\":\"PowerBI\",\"type\":\"api\"},"
            + "\"objet\":{\"id\":1224,\"name\":\"workspaces\",\"transformation\":\"PowerBI_API_get_data\"},"
            + "\"etat\":\"SUCCESS\","
            + "\"debut\":\"2025-09-15T10:29:58.846Z\",\"fin\":\"2025-09-15T10:30:00.000Z\",\"description\":\"...\","
            + "\"performance\":{\"duree_secondes\":1.154133,\"cpu_time_sec\":0.11,\"memory_used_bytes\":5849088,"
            + "\"memory_used_mb\":5.58},"
            + "\"labels\":{\"etat\":\"SUCCESS\",\"source\":\"PowerBI\",\"zone\":\"1-Raw\",\"entreprise\":\"akonovia\"},"
            + "\"metrics\":{\"is_failed\":0,\"is_success\":1,\"high_memory_usage\":0,\"high_cpu_usage\":0}}";

    private static List<JsonNode> sample;
    private final RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));
    private final EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);

    @BeforeAll
    static void readSampleFile() throws IOException {
        JsonNode root = MAPPER.readTree(Path.of("logs.json").toFile());
        sample = new ArrayList<>();
        root.forEach(sample::add);
        assertEquals(72, sample.size());
    }

    private static ObjectNode sampleRecord(int index) {
        return sample.get(index).deepCopy();
    }

    private static ObjectNode failedSampleRecord() {
        return sample.stream()
                .filter(r -> "sharepoint_graph".equals(r.path("Source").asText())
                        && "EventFactureApplication".equals(r.path("Objet").asText()))
                .findFirst().map(JsonNode::deepCopy).map(ObjectNode.class::cast).orElseThrow();
    }

    private IngestionEvent event(JsonNode record) {
        RunRecordValidator.Outcome outcome = validator.validate(record);
        return restructurer.restructure(assertInstanceOf(RunRecordValidator.Valid.class, outcome,
                outcome::toString).run());
    }

    private IngestionEvent event(JsonNode record, Consumer<ObjectNode> change) {
        ObjectNode copy = record.deepCopy();
        change.accept(copy);
        return event(copy);
    }

    private static JsonNode json(IngestionEvent event) throws IOException {
        return MAPPER.readTree(EventJson.write(event));
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    // --- every field of SPEC §3, on real records -------------------------------------------------------------------

    @Test
    void theFirstSampleRecordBecomesTheSpecsEvent() throws IOException {
        JsonNode e = json(event(sampleRecord(0)));

        assertEquals("2025-09-15T09:03:05.167Z", e.get("@timestamp").textValue());
        assertEquals("1", e.get("@version").textValue());
        assertEquals("ingestion-logs", e.at("/event/dataset").textValue());
        assertEquals("event", e.at("/event/kind").textValue());
        assertEquals("success", e.at("/event/outcome").textValue());
        assertEquals("Efficy", e.at("/source/name").textValue());
        assertEquals("api", e.at("/source/type").textValue());
        assertTrue(e.at("/objet/id").isIntegralNumber());
        assertEquals(1200, e.at("/objet/id").longValue());
        assertEquals("Project", e.at("/objet/name").textValue());
        assertEquals("Efficy_API_extract", e.at("/objet/transformation").textValue());
        assertEquals("SUCCESS", e.get("etat").textValue());
        assertEquals("2025-09-15T09:03:04.031Z", e.get("debut").textValue());
        assertEquals("2025-09-15T09:03:05.167Z", e.get("fin").textValue());
        assertEquals("1928 objets Project ingérés dans 1-Raw/efficy/Project", e.get("description").textValue());
        assertTrue(e.at("/performance/duree_secondes").isFloatingPointNumber());
        assertEquals(1.136827, e.at("/performance/duree_secondes").doubleValue());
        assertEquals(0.29, e.at("/performance/cpu_time_sec").doubleValue());
        assertTrue(e.at("/performance/memory_used_bytes").isIntegralNumber());
        assertEquals(16286536L, e.at("/performance/memory_used_bytes").longValue());
        assertEquals(15.53, e.at("/performance/memory_used_mb").doubleValue());
        assertEquals("SUCCESS", e.at("/labels/etat").textValue());
        assertEquals("Efficy", e.at("/labels/source").textValue());
        assertEquals("1-Raw", e.at("/labels/zone").textValue());
        assertEquals("akonovia", e.at("/labels/entreprise").textValue());
        assertEquals(0, e.at("/metrics/is_failed").intValue());
        assertEquals(1, e.at("/metrics/is_success").intValue());
        assertEquals(0, e.at("/metrics/high_memory_usage").intValue());
        assertEquals(0, e.at("/metrics/high_cpu_usage").intValue());
        assertTrue(e.at("/metrics/is_failed").isInt(), "flags are integers, not booleans");
    }

    @Test
    void theFailedSharepointRunIsAFailure() throws IOException {
        JsonNode e = json(event(failedSampleRecord()));

        assertEquals("2025-09-15T09:20:49.963Z", e.get("@timestamp").textValue());
        assertEquals("failure", e.at("/event/outcome").textValue());
        assertEquals("sharepoint_graph", e.at("/source/name").textValue());
        assertEquals(1216, e.at("/objet/id").longValue());
        assertEquals("EventFactureApplication", e.at("/objet/name").textValue());
        assertEquals("SharePoint_Graph_get_items", e.at("/objet/transformation").textValue());
        assertEquals("FAILED", e.get("etat").textValue());
        assertEquals("2025-09-15T09:20:48.762Z", e.get("debut").textValue());
        assertEquals("2025-09-15T09:20:49.963Z", e.get("fin").textValue());
        assertTrue(e.get("description").textValue().startsWith("Erreur HTTP 503 Service Unavailable"));
        assertTrue(e.get("description").textValue().endsWith("(throttling, Retry-After=120)"));
        assertEquals(1.200969, e.at("/performance/duree_secondes").doubleValue());
        assertEquals(0.49, e.at("/performance/cpu_time_sec").doubleValue());
        assertEquals(5471980L, e.at("/performance/memory_used_bytes").longValue());
        assertEquals(5.22, e.at("/performance/memory_used_mb").doubleValue());
        assertEquals("FAILED", e.at("/labels/etat").textValue());
        assertEquals("sharepoint_graph", e.at("/labels/source").textValue());
        assertEquals("1-Raw", e.at("/labels/zone").textValue());
        assertEquals("akonovia", e.at("/labels/entreprise").textValue());
        assertEquals(1, e.at("/metrics/is_failed").intValue());
        assertEquals(0, e.at("/metrics/is_success").intValue());
    }

    @Test
    void theSpecsExampleIsReproducedByteForByte() {
        ObjectNode record = MAPPER.createObjectNode().put("id", 1224).put("Source", "PowerBI")
                .put("Objet", "workspaces").put("Transformation", "PowerBI_API_get_data").put("Etat", "SUCCESS")
                .put("Debut", "2025-09-15 10:29:58.846").put("Fin", "2025-09-15 10:30:00.000")
                .put("Duree secondes", 1.154133).put("cpu_time", 0.11).put("memory_used", 5849088)
                .put("Description", "...").put("zone", "1-Raw").put("entreprise", "akonovia");
        assertEquals(SPEC_EXAMPLE, new String(EventJson.write(event(record)), StandardCharsets.UTF_8));
    }

    @Test
    void keysComeInTheSpecsOrderAtEveryLevel() throws IOException {
        JsonNode expected = MAPPER.readTree(SPEC_EXAMPLE);
        assertEquals(List.of("@timestamp", "@version", "event", "source", "objet", "etat", "debut", "fin",
                "description", "performance", "labels", "metrics"), keys(expected));
        for (JsonNode record : List.of(sampleRecord(0), failedSampleRecord())) {
            JsonNode actual = json(event(record));
            assertEquals(keys(expected), keys(actual));
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                assertEquals(keys(expected.get(field)), keys(actual.get(field)), field);
            }
        }
    }

    @Test
    void aTwoMegabyteDescriptionIsCutWithItsMarkerAndTheEventSaysSo() throws Exception {
        String trace = "java.lang.IllegalStateException: boom é€😀\n" + "\tat io.x.Y.z(Y.java:1)\n".repeat(90_000);
        long originalBytes = trace.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(originalBytes > 2_000_000, "a 2 MB trace: " + originalBytes);
        IngestionEvent event = event(failedSampleRecord(), r -> r.put("Description", trace));
        assertTrue(event.descriptionTruncated());
        assertEquals(originalBytes, event.descriptionBytes());
        assertTrue(event.description().endsWith(Utf8Cut.MARKER));
        assertTrue(event.description().getBytes(StandardCharsets.UTF_8).length <= 65_536);

        JsonNode e = json(event);
        assertTrue(e.get("description_truncated").booleanValue());
        assertEquals(originalBytes, e.get("description_bytes").longValue());
        assertEquals(List.of("@timestamp", "@version", "event", "source", "objet", "etat", "debut", "fin",
                "description", "description_truncated", "description_bytes", "performance", "labels", "metrics"),
                keys(e));
        assertEquals("failure", e.at("/event/outcome").textValue());
        assertEquals(event, EventJson.read(EventJson.write(event)));
        assertArrayEquals(EventJson.write(event), EventJson.write(EventJson.read(EventJson.write(event))),
                "a redelivered event gives Loki the same bytes");
    }

    @Test
    void theDescriptionBudgetIsConfigurable() throws IOException {
        EventRestructurer small = new EventRestructurer(Thresholds.DEFAULT, 100);
        RunRecordValidator.Outcome outcome = validator.validate(sampleRecord(0).put("Description", "x".repeat(101)));
        IngestionEvent event = small.restructure(((RunRecordValidator.Valid) outcome).run());
        assertEquals("x".repeat(100 - Utf8Cut.MARKER_BYTES) + Utf8Cut.MARKER, event.description());
        assertEquals(101L, event.descriptionBytes());
        // at the budget: whole, and no extra field
        outcome = validator.validate(sampleRecord(0).put("Description", "x".repeat(100)));
        JsonNode whole = json(small.restructure(((RunRecordValidator.Valid) outcome).run()));
        assertEquals("x".repeat(100), whole.get("description").textValue());
        assertFalse(whole.has("description_truncated"));
        assertFalse(whole.has("description_bytes"));
    }

    @Test
    void runningIsAnUnknownOutcomeNeitherFailedNorSuccess() throws IOException {
        JsonNode e = json(event(sampleRecord(0), r -> r.put("Etat", "running")));
        assertEquals("RUNNING", e.get("etat").textValue());
        assertEquals("RUNNING", e.at("/labels/etat").textValue());
        assertEquals("unknown", e.at("/event/outcome").textValue());
        assertEquals(0, e.at("/metrics/is_failed").intValue());
        assertEquals(0, e.at("/metrics/is_success").intValue());
    }

    @Test
    void lowerCaseFailedIsAFailure() throws IOException {
        JsonNode e = json(event(sampleRecord(0), r -> r.put("Etat", "failed")));
        assertEquals("failure", e.at("/event/outcome").textValue());
        assertEquals(1, e.at("/metrics/is_failed").intValue());
    }

    @Test
    void memoryAboveOneHundredFiftyMibIsHigh() throws IOException {
        assertEquals(1, json(event(sampleRecord(0), r -> r.put("memory_used", 157286401L)))
                .at("/metrics/high_memory_usage").intValue());
        JsonNode atThreshold = json(event(sampleRecord(0), r -> r.put("memory_used", 157286400L)));
        assertEquals(0, atThreshold.at("/metrics/high_memory_usage").intValue());
        assertEquals(150.0, atThreshold.at("/performance/memory_used_mb").doubleValue());
    }

    @Test
    void cpuAboveSixtySecondsIsHigh() throws IOException {
        assertEquals(1, json(event(sampleRecord(0), r -> r.put("cpu_time", 60.5)))
                .at("/metrics/high_cpu_usage").intValue());
        assertEquals(0, json(event(sampleRecord(0), r -> r.put("cpu_time", 60)))
                .at("/metrics/high_cpu_usage").intValue());
    }

    @Test
    void missingZoneAndEntrepriseAreUnknown() throws IOException {
        JsonNode e = json(event(sampleRecord(0), r -> {
            r.remove("zone");
            r.remove("entreprise");
        }));
        assertEquals("unknown", e.at("/labels/zone").textValue());
        assertEquals("unknown", e.at("/labels/entreprise").textValue());
        JsonNode blank = json(event(sampleRecord(0), r -> {
            r.put("zone", "");
            r.put("entreprise", " ");
        }));
        assertEquals("unknown", blank.at("/labels/zone").textValue());
        assertEquals("unknown", blank.at("/labels/entreprise").textValue());
    }

    @Test
    void timestampFallsBackToDebutWhenFinIsAbsent() throws IOException {
        JsonNode e = json(event(sampleRecord(0), r -> r.remove("Fin")));
        assertEquals("2025-09-15T09:03:04.031Z", e.get("@timestamp").textValue());
        assertEquals("2025-09-15T09:03:04.031Z", e.get("debut").textValue());
        assertTrue(e.get("fin").isNull());
        assertEquals(1.136827, e.at("/performance/duree_secondes").doubleValue());
    }

    @Test
    void timestampIsUtcWhateverTheInputTimezone() throws IOException {
        RunRecordValidator paris = new RunRecordValidator(new TimestampParser(java.time.ZoneId.of("Europe/Paris")));
        RunRecordValidator.Outcome outcome = paris.validate(sampleRecord(0));
        JsonNode e = json(restructurer.restructure(assertInstanceOf(RunRecordValidator.Valid.class, outcome).run()));
        assertEquals("2025-09-15T07:03:05.167Z", e.get("@timestamp").textValue());
        assertEquals("2025-09-15T07:03:04.031Z", e.get("debut").textValue());
    }

    @Test
    void wholeSecondsKeepTheirMillis() throws IOException {
        JsonNode e = json(event(sampleRecord(0), r -> r.put("Fin", "2025-09-15T09:03:05Z")));
        assertEquals("2025-09-15T09:03:05.000Z", e.get("@timestamp").textValue());
        assertEquals("2025-09-15T09:03:05.000Z", e.get("fin").textValue());
    }

    @Test
    void absentOptionalsAreNulls() throws IOException {
        ObjectNode minimal = MAPPER.createObjectNode().put("Source", "PowerBI").put("Objet", "workspaces")
                .put("Etat", "SUCCESS").put("Fin", "2025-09-15 10:30:00.000");
        JsonNode e = json(event(minimal));
        assertEquals(keys(MAPPER.readTree(SPEC_EXAMPLE)), keys(e), "absent fields are written as null, not left out");
        assertTrue(e.at("/objet/id").isNull());
        assertTrue(e.at("/objet/transformation").isNull());
        assertTrue(e.get("debut").isNull());
        assertTrue(e.get("description").isNull());
        assertTrue(e.at("/performance/duree_secondes").isNull());
        assertTrue(e.at("/performance/cpu_time_sec").isNull());
        assertTrue(e.at("/performance/memory_used_bytes").isNull());
        assertTrue(e.at("/performance/memory_used_mb").isNull());
        assertEquals(0, e.at("/metrics/high_memory_usage").intValue());
        assertEquals(0, e.at("/metrics/high_cpu_usage").intValue());
    }

    // --- round trip and determinism ----------------------------------------------------------------------------

    @Test
    void everySampleRecordRoundTrips() throws EventFormatException {
        for (JsonNode record : sample) {
            IngestionEvent event = event(record);
            byte[] bytes = EventJson.write(event);
            IngestionEvent back = EventJson.read(bytes);
            assertEquals(event, back, record::toString);
            assertInstanceOf(Long.class, back.objetId());
            assertInstanceOf(Long.class, back.memoryUsedBytes());
            assertInstanceOf(Double.class, back.dureeSecondes());
            assertArrayEquals(bytes, EventJson.write(back), "re-written bytes differ for " + record);
        }
    }

    @Test
    void edgeEventsRoundTrip() throws EventFormatException {
        List<IngestionEvent> events = List.of(
                event(failedSampleRecord()),
                event(sampleRecord(0), r -> r.put("Etat", "running")),
                event(sampleRecord(0), r -> {
                    r.remove("Fin");
                    r.remove("zone");
                    r.remove("entreprise");
                }),
                event(sampleRecord(0), r -> {
                    r.put("memory_used", 157286401L);
                    r.put("cpu_time", 60.5);
                    r.put("Duree secondes", 3);
                    r.put("Description", "quote \" backslash \\ newline \n tab \t unicode é€😀");
                }),
                event(MAPPER.createObjectNode().put("Source", "PowerBI").put("Objet", "workspaces")
                        .put("Etat", "SUCCESS").put("Debut", "2025-09-15T10:30:00Z")));
        for (IngestionEvent event : events) {
            assertEquals(event, EventJson.read(EventJson.write(event)));
        }
    }

    @Test
    void subMillisecondTimestampsRoundTrip() throws EventFormatException {
        // the wire keeps milliseconds: the event must hold what its JSON holds, or the consumer reads another event
        IngestionEvent event = event(sampleRecord(0), r -> {
            r.put("Debut", "2025-09-15 09:03:04.031999");
            r.put("Fin", "2025-09-15T09:03:05.167123456Z");
        });
        assertEquals(Instant.parse("2025-09-15T09:03:05.167Z"), event.timestamp());
        assertEquals(Instant.parse("2025-09-15T09:03:04.031Z"), event.debut());
        assertEquals(event, EventJson.read(EventJson.write(event)));
    }

    @Test
    void theSameEventAlwaysGivesTheSameBytes() {
        IngestionEvent event = event(failedSampleRecord());
        byte[] first = EventJson.write(event);
        byte[] second = EventJson.write(event);
        assertArrayEquals(first, second);
        // and an equal event built separately
        assertArrayEquals(first, EventJson.write(event(failedSampleRecord())));
    }

    @Test
    void writesUtf8() {
        String text = new String(EventJson.write(event(sampleRecord(0))), StandardCharsets.UTF_8);
        assertTrue(text.contains("\"description\":\"1928 objets Project ingérés dans 1-Raw/efficy/Project\""), text);
    }

    // --- unreadable events -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "{\"@timestamp\":", "[]", "42", "null", "\"text\"", "{}"})
    void garbageIsNotAnEvent(String text) {
        assertThrows(EventFormatException.class, () -> EventJson.read(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void nullBytesAreNotAnEvent() {
        assertThrows(EventFormatException.class, () -> EventJson.read(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/@timestamp", "/source/name", "/objet/name", "/etat", "/labels/zone",
            "/labels/entreprise"})
    void anEventMissingARequiredFieldIsRefused(String pointer) throws IOException {
        ObjectNode e = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        int slash = pointer.lastIndexOf('/');
        ((ObjectNode) e.at(pointer.substring(0, slash))).remove(pointer.substring(slash + 1));
        EventFormatException ex = assertThrows(EventFormatException.class,
                () -> EventJson.read(MAPPER.writeValueAsBytes(e)));
        String path = pointer.substring(1).replace('/', '.');
        assertEquals(path + ": missing", ex.getMessage());
    }

    @Test
    void anEventWithoutItsSourceObjectIsRefused() throws IOException {
        ObjectNode e = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        e.remove("source");
        assertThrows(EventFormatException.class, () -> EventJson.read(MAPPER.writeValueAsBytes(e)));
        e.put("source", "PowerBI");
        assertThrows(EventFormatException.class, () -> EventJson.read(MAPPER.writeValueAsBytes(e)));
    }

    @Test
    void anEventWithABadTimestampOrTypeIsRefused() throws IOException {
        ObjectNode e = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        e.put("@timestamp", "2025-09-15 10:30:00");
        EventFormatException ex = assertThrows(EventFormatException.class,
                () -> EventJson.read(MAPPER.writeValueAsBytes(e)));
        assertEquals("@timestamp: '2025-09-15 10:30:00' is not an ISO-8601 instant", ex.getMessage());
        ObjectNode numericEtat = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        numericEtat.put("etat", 1);
        assertThrows(EventFormatException.class, () -> EventJson.read(MAPPER.writeValueAsBytes(numericEtat)));
        ObjectNode emptySource = (ObjectNode) MAPPER.readTree(SPEC_EXAMPLE);
        ((ObjectNode) emptySource.get("source")).put("name", "");
        assertThrows(EventFormatException.class, () -> EventJson.read(MAPPER.writeValueAsBytes(emptySource)));
    }

    @Test
    void theSpecsExampleReadsBack() throws EventFormatException {
        IngestionEvent e = EventJson.read(SPEC_EXAMPLE.getBytes(StandardCharsets.UTF_8));
        assertEquals(new IngestionEvent(Instant.parse("2025-09-15T10:30:00Z"), "PowerBI", 1224L, "workspaces",
                "PowerBI_API_get_data", "SUCCESS", Instant.parse("2025-09-15T10:29:58.846Z"),
                Instant.parse("2025-09-15T10:30:00Z"), "...", null, 1.154133, 0.11, 5849088L, "1-Raw", "akonovia",
                false, false), e);
        assertTrue(e.succeeded());
        assertFalse(e.failed());
    }
}
