package io.ingestobs.input;

import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.TimestampParser;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputRecordStreamTest {

    private final RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));

    private List<ParsedRecord> read(String text) throws IOException {
        List<ParsedRecord> records = new ArrayList<>();
        try (InputRecordStream stream = InputRecordStream.of("t.json",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), validator)) {
            stream.forEachRemaining(records::add);
        }
        return records;
    }

    private static final String VALID = "{\"Source\":\"PowerBI\",\"Objet\":\"workspaces\",\"Etat\":\"SUCCESS\","
            + "\"Fin\":\"2025-09-15 10:30:00.000\"}";

    @Test
    void theSampleFileHoldsTheSpecsSeventyTwoRunsWithOneFailure() throws IOException {
        List<ParsedRecord> records = new ArrayList<>();
        try (InputRecordStream stream = InputRecordStream.open(Path.of("logs.json"), validator)) {
            stream.forEachRemaining(records::add);
        }
        assertEquals(72, records.size());
        assertTrue(records.stream().allMatch(ParsedRecord::valid), () -> records.stream()
                .filter(r -> !r.valid()).findFirst().map(ParsedRecord::rejection).toString());
        assertEquals(1, records.stream().filter(r -> r.run().failed()).count());
        assertEquals(72, records.stream().map(r -> r.run().source() + "/" + r.run().objet()).distinct().count());
        assertEquals("record 72", records.get(71).position());
    }

    @Test
    void readsJsonLinesOneRecordPerLineAndRejectsBadLinesAlone() throws IOException {
        List<ParsedRecord> records = read(VALID + "\n\n{not json}\n[1,2]\n" + VALID + "\n");
        assertEquals(4, records.size());
        assertTrue(records.get(0).valid());
        assertEquals(RejectReason.INVALID_JSON, records.get(1).rejection().reason());
        assertEquals("line 3", records.get(1).position());
        assertEquals("{not json}", records.get(1).original());
        assertEquals(RejectReason.NOT_AN_OBJECT, records.get(2).rejection().reason());
        assertTrue(records.get(3).valid());
        assertEquals("line 5", records.get(3).position());
    }

    @Test
    void aSyntaxErrorInAnArraySendsTheRestOfTheFileAsOneRecord() throws IOException {
        List<ParsedRecord> records = read("[" + VALID + ",\"text\"," + VALID + ", {\"Source\": oops}, " + VALID + "]");
        assertEquals(4, records.size());
        assertTrue(records.get(0).valid());
        assertEquals(RejectReason.NOT_AN_OBJECT, records.get(1).rejection().reason());
        assertTrue(records.get(2).valid());
        ParsedRecord rest = records.get(3);
        assertEquals(RejectReason.REST_OF_FILE, rest.rejection().reason());
        assertEquals("record 4", rest.position());
        assertTrue(rest.original().contains("PowerBI"), rest.original());
        assertNull(rest.run());
    }

    @Test
    void anEmptyArrayHasNoRecords() throws IOException {
        assertEquals(0, read("  [ ]  ").size());
    }
}
