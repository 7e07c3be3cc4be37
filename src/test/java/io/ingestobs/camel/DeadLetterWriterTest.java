package io.ingestobs.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.Utf8Cut;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aLetterTooLargeForTheTopicIsCutToFitItsOriginalStartAndPositionKept() throws Exception {
        // the worst case for escaping: control characters take six bytes each once written as JSON
        String original = "{\"Transformation\":\"" + "\u0001".repeat(1_500_000) + "\"}";
        String error = "Debut: '" + "9".repeat(100_000) + "' is not a timestamp";
        DeadLetter letter = new DeadLetter(DeadLetter.STAGE_READ, RejectReason.TOO_LARGE, error, "runs.jsonl",
                "line 2", original, null, Instant.parse("2026-11-30T10:00:00Z"));
        byte[] record = DeadLetterWriter.json(DeadLetterWriter.cutToFit(letter, 1_048_576));
        assertTrue(record.length < 1_048_576 - 1024, "fits with room for the Kafka envelope: " + record.length);
        JsonNode written = JSON.readTree(record);
        assertEquals("too_large", written.get("reason").asText());
        assertEquals("line 2", written.get("position").asText());
        assertTrue(written.get("original").asText().startsWith("{\"Transformation\":\"\u0001"));
        assertTrue(written.get("original").asText().endsWith(Utf8Cut.MARKER));
        assertTrue(written.get("error").asText().startsWith("Debut: '999"));
        assertTrue(written.get("error").asText().getBytes(StandardCharsets.UTF_8).length
                <= DeadLetterWriter.MAX_ERROR_BYTES);
    }
}
