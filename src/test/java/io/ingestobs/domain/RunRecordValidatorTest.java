package io.ingestobs.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunRecordValidatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String VALID = """
            {"id": 1224, "Source": "PowerBI", "Objet": "workspaces", "Transformation": "PowerBI_API_get_data",
             "Etat": "SUCCESS", "Debut": "2025-09-15 10:29:58.846", "Fin": "2025-09-15 10:30:00.000",
             "Duree secondes": 1.154133, "cpu_time": 0.11, "memory_used": 5849088,
             "Description": "12 objets workspaces ingérés", "zone": "1-Raw", "entreprise": "akonovia"}
            """;

    private final RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));

    private static ObjectNode record(Consumer<ObjectNode> change) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(VALID);
            change.accept(node);
            return node;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private RunRecord valid(JsonNode node) {
        RunRecordValidator.Outcome outcome = validator.validate(node);
        return assertInstanceOf(RunRecordValidator.Valid.class, outcome, () -> outcome.toString()).run();
    }

    private Rejection rejected(JsonNode node) {
        RunRecordValidator.Outcome outcome = validator.validate(node);
        return assertInstanceOf(RunRecordValidator.Invalid.class, outcome, () -> outcome.toString()).rejection();
    }

    private void assertRejected(RejectReason reason, String error, Consumer<ObjectNode> change) {
        Rejection rejection = rejected(record(change));
        assertEquals(reason, rejection.reason(), rejection::toString);
        assertEquals(error, rejection.error());
    }

    // --- accepted records -------------------------------------------------------------------------------------

    @Test
    void aCompleteRecordKeepsEveryField() {
        RunRecord run = valid(record(r -> { }));
        assertEquals(new RunRecord(1224L, "PowerBI", "workspaces", "PowerBI_API_get_data", "SUCCESS",
                Instant.parse("2025-09-15T10:29:58.846Z"), Instant.parse("2025-09-15T10:30:00Z"), 1.154133, 0.11,
                5849088L, "12 objets workspaces ingérés", "1-Raw", "akonovia"), run);
        assertEquals(Instant.parse("2025-09-15T10:30:00Z"), run.eventTime());
    }

    @Test
    void timestampsAreReadInTheInputTimezone() {
        RunRecordValidator.Outcome outcome = new RunRecordValidator(new TimestampParser(ZoneId.of("Europe/Paris")))
                .validate(record(r -> { }));
        RunRecord run = assertInstanceOf(RunRecordValidator.Valid.class, outcome).run();
        assertEquals(Instant.parse("2025-09-15T08:29:58.846Z"), run.debut());
        assertEquals(Instant.parse("2025-09-15T08:30:00Z"), run.fin());
    }

    @Test
    void etatIsUpperCased() {
        assertEquals("RUNNING", valid(record(r -> r.put("Etat", "running"))).etat());
        assertEquals("FAILED", valid(record(r -> r.put("Etat", "Failed"))).etat());
        assertTrue(valid(record(r -> r.put("Etat", "failed"))).failed());
        assertEquals("SUCCESS", valid(record(r -> r.put("Etat", "success"))).etat());
    }

    @Test
    void durationIsDerivedFromFinMinusDebutWhenAbsent() {
        RunRecord run = valid(record(r -> r.remove("Duree secondes")));
        assertEquals(1.154, run.dureeSecondes());
        RunRecord nullDuration = valid(record(r -> r.putNull("Duree secondes")));
        assertEquals(1.154, nullDuration.dureeSecondes());
    }

    @Test
    void aGivenDurationWinsOverFinMinusDebut() {
        assertEquals(42.5, valid(record(r -> r.put("Duree secondes", 42.5))).dureeSecondes());
        assertEquals(3.0, valid(record(r -> r.put("Duree secondes", 3))).dureeSecondes());
    }

    @Test
    void durationIsNullWhenItCannotBeDerived() {
        RunRecord onlyFin = valid(record(r -> {
            r.remove("Duree secondes");
            r.remove("Debut");
        }));
        assertNull(onlyFin.dureeSecondes());
        assertNull(onlyFin.debut());
        assertEquals(Instant.parse("2025-09-15T10:30:00Z"), onlyFin.eventTime());
    }

    @Test
    void aRunWithOnlyDebutHasItAsEventTime() {
        RunRecord onlyDebut = valid(record(r -> r.remove("Fin")));
        assertNull(onlyDebut.fin());
        assertEquals(Instant.parse("2025-09-15T10:29:58.846Z"), onlyDebut.eventTime());
    }

    @Test
    void optionalFieldsAreNullWhenAbsent() {
        RunRecord run = valid(MAPPER.createObjectNode().put("Source", "PowerBI").put("Objet", "workspaces")
                .put("Etat", "SUCCESS").put("Fin", "2025-09-15T10:30:00Z"));
        assertEquals(new RunRecord(null, "PowerBI", "workspaces", null, "SUCCESS", null,
                Instant.parse("2025-09-15T10:30:00Z"), null, null, null, null, null, null), run);
    }

    @Test
    void optionalFieldsAreNullWhenJsonNull() {
        RunRecord run = valid(record(r -> {
            for (String f : new String[] {"id", "Transformation", "cpu_time", "memory_used", "Description", "zone",
                    "entreprise"}) {
                r.putNull(f);
            }
        }));
        assertNull(run.id());
        assertNull(run.transformation());
        assertNull(run.cpuTime());
        assertNull(run.memoryUsed());
        assertNull(run.description());
        assertNull(run.zone());
        assertNull(run.entreprise());
    }

    @Test
    void zeroValuesAreAccepted() {
        RunRecord run = valid(record(r -> {
            r.put("Duree secondes", 0);
            r.put("cpu_time", 0.0);
            r.put("memory_used", 0);
        }));
        assertEquals(0.0, run.dureeSecondes());
        assertEquals(0.0, run.cpuTime());
        assertEquals(0L, run.memoryUsed());
    }

    @Test
    void integralDoublesAreAcceptedAsIntegers() {
        assertEquals(5849088L, valid(record(r -> r.put("memory_used", 5849088.0))).memoryUsed());
    }

    // --- missing_field -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"Source", "Objet", "Etat"})
    void aRequiredFieldThatIsAbsentIsMissing(String field) {
        assertRejected(RejectReason.MISSING_FIELD, field + ": required", r -> r.remove(field));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Source", "Objet", "Etat"})
    void aRequiredFieldThatIsNullIsMissing(String field) {
        assertRejected(RejectReason.MISSING_FIELD, field + ": required", r -> r.putNull(field));
    }

    @Test
    void anEmptySourceIsMissing() {
        assertRejected(RejectReason.MISSING_FIELD, "Source: empty", r -> r.put("Source", ""));
        assertRejected(RejectReason.MISSING_FIELD, "Source: empty", r -> r.put("Source", "   "));
        assertRejected(RejectReason.MISSING_FIELD, "Objet: empty", r -> r.put("Objet", ""));
    }

    @Test
    void aRunWithNeitherDebutNorFinIsMissingBoth() {
        assertRejected(RejectReason.MISSING_FIELD, "Debut/Fin: a run needs at least one of them", r -> {
            r.remove("Debut");
            r.remove("Fin");
        });
    }

    // --- bad_timestamp -----------------------------------------------------------------------------------------

    @Test
    void anUnreadableDebutIsABadTimestamp() {
        assertRejected(RejectReason.BAD_TIMESTAMP, "Debut: '15/09/2025 10h' is not a timestamp",
                r -> r.put("Debut", "15/09/2025 10h"));
    }

    @Test
    void anUnreadableFinIsABadTimestamp() {
        assertRejected(RejectReason.BAD_TIMESTAMP, "Fin: 'hier soir' is not a timestamp",
                r -> r.put("Fin", "hier soir"));
    }

    @Test
    void epochSecondsAndMillisecondsAsNumbersAreTimestamps() {
        RunRecord run = valid(record(r -> {
            r.put("Debut", 1757932198);
            r.put("Fin", 1757932200846L);
        }));
        assertEquals(Instant.parse("2025-09-15T10:29:58Z"), run.debut());
        assertEquals(Instant.parse("2025-09-15T10:30:00.846Z"), run.fin());
        // Python's time.time(): seconds with a fraction
        assertEquals(Instant.parse("2025-09-15T10:29:58.846Z"),
                valid(record(r -> r.put("Debut", 1757932198.846))).debut());
    }

    @Test
    void pythonLoggingsCommaDecimalSeparatorIsATimestamp() {
        assertEquals(Instant.parse("2025-09-15T10:29:58.846Z"),
                valid(record(r -> r.put("Debut", "2025-09-15 10:29:58,846"))).debut());
    }

    @Test
    void anEpochNumberOutOfRangeIsABadTimestampNamingTheValue() {
        assertRejected(RejectReason.BAD_TIMESTAMP, "Fin: 1757932200846000 is not epoch seconds or milliseconds",
                r -> r.put("Fin", 1757932200846000L));
        assertRejected(RejectReason.BAD_TIMESTAMP, "Debut: -5 is not epoch seconds or milliseconds",
                r -> r.put("Debut", -5));
        // a string of digits is not a number: it stays text, and text must be a date
        assertRejected(RejectReason.BAD_TIMESTAMP, "Debut: '1757932198' is not a timestamp",
                r -> r.put("Debut", "1757932198"));
    }

    // --- negative_value ----------------------------------------------------------------------------------------

    @Test
    void aNegativeDurationIsRefused() {
        Rejection rejection = rejected(record(r -> r.put("Duree secondes", -1.5)));
        assertEquals(RejectReason.NEGATIVE_VALUE, rejection.reason());
        assertEquals("Duree secondes: -1.5 is negative", rejection.error());
    }

    @Test
    void aNegativeCpuTimeIsRefused() {
        Rejection rejection = rejected(record(r -> r.put("cpu_time", -0.11)));
        assertEquals(RejectReason.NEGATIVE_VALUE, rejection.reason());
        assertEquals("cpu_time: -0.11 is negative", rejection.error());
    }

    @Test
    void aNegativeMemoryIsRefused() {
        assertRejected(RejectReason.NEGATIVE_VALUE, "memory_used: -5849088 is negative",
                r -> r.put("memory_used", -5849088));
    }

    @Test
    void finBeforeDebutIsRefusedWhenTheDurationIsDerived() {
        assertRejected(RejectReason.NEGATIVE_VALUE, "Fin is before Debut", r -> {
            r.remove("Duree secondes");
            r.put("Fin", "2025-09-15 10:29:00.000");
        });
    }

    // --- wrong_type --------------------------------------------------------------------------------------------

    @Test
    void aNumericSourceIsTheWrongType() {
        assertRejected(RejectReason.WRONG_TYPE, "Source: expected a string, found number", r -> r.put("Source", 42));
    }

    @Test
    void aFractionalMemoryIsTheWrongType() {
        assertRejected(RejectReason.WRONG_TYPE, "memory_used: expected an integer, found number",
                r -> r.put("memory_used", 1.5));
    }

    @Test
    void aDurationGivenAsStringIsTheWrongType() {
        assertRejected(RejectReason.WRONG_TYPE, "Duree secondes: expected a number, found string",
                r -> r.put("Duree secondes", "1.15"));
    }

    @Test
    void otherWrongTypes() {
        assertRejected(RejectReason.WRONG_TYPE, "Etat: expected a string, found boolean", r -> r.put("Etat", true));
        assertRejected(RejectReason.WRONG_TYPE, "Debut: expected a timestamp string or epoch number, found boolean",
                r -> r.put("Debut", true));
        assertRejected(RejectReason.WRONG_TYPE, "cpu_time: expected a number, found string",
                r -> r.put("cpu_time", "0.11"));
        assertRejected(RejectReason.WRONG_TYPE, "id: expected an integer, found string", r -> r.put("id", "1224"));
        assertRejected(RejectReason.WRONG_TYPE, "zone: expected a string, found object",
                r -> r.putObject("zone").put("name", "1-Raw"));
        assertRejected(RejectReason.WRONG_TYPE, "Description: expected a string, found array",
                r -> r.putArray("Description").add("x"));
    }

    // --- not_an_object -----------------------------------------------------------------------------------------

    @Test
    void somethingOtherThanAnObjectIsRefused() throws Exception {
        Rejection array = rejected(MAPPER.readTree("[1, 2]"));
        assertEquals(RejectReason.NOT_AN_OBJECT, array.reason());
        assertEquals("expected a JSON object, found array", array.error());
        Rejection text = rejected(MAPPER.readTree("\"PowerBI\""));
        assertEquals(RejectReason.NOT_AN_OBJECT, text.reason());
        assertEquals("expected a JSON object, found string", text.error());
        assertEquals(RejectReason.NOT_AN_OBJECT, rejected(MAPPER.readTree("42")).reason());
        assertEquals(RejectReason.NOT_AN_OBJECT, rejected(MAPPER.readTree("null")).reason());
        assertEquals(RejectReason.NOT_AN_OBJECT, rejected(null).reason());
    }

    @Test
    void reasonsHaveTheSpecsWireCodes() {
        assertEquals("missing_field", RejectReason.MISSING_FIELD.code());
        assertEquals("bad_timestamp", RejectReason.BAD_TIMESTAMP.code());
        assertEquals("negative_value", RejectReason.NEGATIVE_VALUE.code());
        assertEquals("wrong_type", RejectReason.WRONG_TYPE.code());
        assertEquals("not_an_object", RejectReason.NOT_AN_OBJECT.code());
        assertEquals("invalid_json", RejectReason.INVALID_JSON.code());
        assertEquals("rest_of_file", RejectReason.REST_OF_FILE.code());
    }
}
