package io.ingestobs.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimestampParserTest {

    private final TimestampParser utc = new TimestampParser(ZoneOffset.UTC);
    private final TimestampParser paris = new TimestampParser(ZoneId.of("Europe/Paris"));

    private static Optional<Instant> at(String iso) {
        return Optional.of(Instant.parse(iso));
    }

    @Test
    void connectorFormatWithMillisIsReadInUtcByDefault() {
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("2025-09-15 10:29:58.846"));
    }

    @Test
    void connectorFormatIsReadInTheInputTimezone() {
        // Paris is UTC+2 in September (summer time)
        assertEquals(at("2025-09-15T08:29:58.846Z"), paris.parse("2025-09-15 10:29:58.846"));
        // and UTC+1 in winter
        assertEquals(at("2025-01-15T09:29:58.846Z"), paris.parse("2025-01-15 10:29:58.846"));
    }

    @Test
    void connectorFormatWithoutFraction() {
        assertEquals(at("2025-09-15T10:29:58Z"), utc.parse("2025-09-15 10:29:58"));
        assertEquals(at("2025-09-15T08:29:58Z"), paris.parse("2025-09-15 10:29:58"));
    }

    @Test
    void connectorFormatWithOtherFractionLengths() {
        assertEquals(at("2025-09-15T10:29:58.800Z"), utc.parse("2025-09-15 10:29:58.8"));
        assertEquals(at("2025-09-15T10:29:58.123456Z"), utc.parse("2025-09-15 10:29:58.123456"));
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("  2025-09-15 10:29:58.846 "));
    }

    @Test
    void isoWithZIsUtcWhateverTheInputTimezone() {
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("2025-09-15T10:29:58.846Z"));
        assertEquals(at("2025-09-15T10:29:58.846Z"), paris.parse("2025-09-15T10:29:58.846Z"));
        assertEquals(at("2025-09-15T10:29:58Z"), paris.parse("2025-09-15T10:29:58Z"));
    }

    @Test
    void isoWithAnOffsetUsesThatOffset() {
        assertEquals(at("2025-09-15T08:29:58.846Z"), utc.parse("2025-09-15T10:29:58.846+02:00"));
        assertEquals(at("2025-09-15T08:29:58.846Z"), paris.parse("2025-09-15T10:29:58.846+02:00"));
        assertEquals(at("2025-09-15T15:29:58Z"), utc.parse("2025-09-15T10:29:58-05:00"));
    }

    @Test
    void isoWithoutOffsetIsReadInTheInputTimezone() {
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("2025-09-15T10:29:58.846"));
        assertEquals(at("2025-09-15T08:29:58.846Z"), paris.parse("2025-09-15T10:29:58.846"));
    }

    @Test
    void pythonLoggingsCommaIsADecimalSeparator() {
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("2025-09-15 10:29:58,846"));
        assertEquals(at("2025-09-15T08:29:58.846Z"), paris.parse("2025-09-15 10:29:58,846"));
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parse("2025-09-15T10:29:58,846Z"));
        assertEquals(at("2025-09-15T08:29:58.846123Z"), utc.parse("2025-09-15T10:29:58,846123+02:00"));
    }

    @Test
    void epochNumbersBelowTenToTheElevenAreSecondsAndFromThereMilliseconds() {
        assertEquals(at("2025-09-15T10:29:58Z"), utc.parseEpoch(new BigDecimal("1757932198")));
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parseEpoch(new BigDecimal("1757932198846")));
        assertEquals(at("2025-09-15T10:29:58.846Z"), utc.parseEpoch(new BigDecimal("1757932198.846")));
        assertEquals(at("2025-09-15T10:29:58.846500Z"), utc.parseEpoch(new BigDecimal("1757932198846.5")));
        assertEquals(at("1970-01-01T00:00:00Z"), utc.parseEpoch(BigDecimal.ZERO));
        // the boundary: just below is seconds (year 5138), from it milliseconds (March 1973)
        assertEquals(at("5138-11-16T09:46:39Z"), utc.parseEpoch(new BigDecimal("99999999999")));
        assertEquals(at("1973-03-03T09:46:40Z"), utc.parseEpoch(new BigDecimal("100000000000")));
        // epoch numbers carry no zone: the input zone does not move them
        assertEquals(utc.parseEpoch(new BigDecimal("1757932198")), paris.parseEpoch(new BigDecimal("1757932198")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-1757932198", "100000000000000", "1757932198846000", "1757932198846000000"})
    void negativeOrMicroAndNanosecondEpochNumbersAreNotGuessed(String number) {
        assertEquals(Optional.empty(), utc.parseEpoch(new BigDecimal(number)), number);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "rubbish", "not a timestamp at all", "15/09/2025 10h", "2025-09-15",
            "2025-13-15 10:29:58", "2025-09-15 25:00:00", "2025-09-15 10:29", "2025-09-15T10:29:58+25:00",
            "2025-09-15 10:29:58.846 trailing", "1757932198", "2025-09-15T10:29:58.846ZZ",
            "2025-09-15 10:29,58", "2025-09-15 10:29:58,", "2025-09-15 10:29:58,8,4", "2025-09-15 10:29:58;846"})
    void rubbishIsEmpty(String text) {
        assertEquals(Optional.empty(), utc.parse(text), text);
        assertEquals(Optional.empty(), paris.parse(text), text);
    }
}
