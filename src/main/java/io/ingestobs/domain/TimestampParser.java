package io.ingestobs.domain;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Optional;

/**
 * Reads the two timestamp forms connectors write: {@code 2025-09-15 10:29:58.846} in the input's zone, or ISO-8601
 * with an offset or {@code Z}.
 */
public final class TimestampParser {

    private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .appendLiteral(' ')
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter();

    private final ZoneId inputZone;

    public TimestampParser(ZoneId inputZone) {
        this.inputZone = inputZone;
    }

    public Optional<Instant> parse(String text) {
        String value = text.trim();
        try {
            if (value.length() > 10 && value.charAt(10) == ' ') {
                return Optional.of(LocalDateTime.parse(value, LOCAL).atZone(inputZone).toInstant());
            }
            if (hasOffset(value)) {
                return Optional.of(OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
            }
            return Optional.of(LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(inputZone).toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private static boolean hasOffset(String value) {
        int time = value.indexOf('T');
        return value.endsWith("Z") || value.endsWith("z")
                || (time > 0 && (value.indexOf('+', time) > 0 || value.indexOf('-', time) > 0));
    }
}
