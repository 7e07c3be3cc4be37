package io.ingestobs.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * Reads the timestamp forms connectors write (SPEC §2): {@code 2025-09-15 10:29:58.846} in the input's zone (a
 * comma as decimal separator too, as Python's logging writes it), ISO-8601 with an offset or {@code Z}, or a JSON
 * number of epoch seconds or epoch milliseconds.
 */
public final class TimestampParser {

    /**
     * Epoch numbers below this are seconds, from it on milliseconds. 10^11 seconds is the year 5138 and 10^11
     * milliseconds is March 1973: no connector run is on the wrong side of either, so magnitude alone tells them
     * apart.
     */
    static final BigDecimal MILLIS_FROM = BigDecimal.valueOf(100_000_000_000L);
    /** 10^14 milliseconds is the year 5138 too: a larger number is micro- or nanoseconds, refused, not guessed. */
    static final BigDecimal MILLIS_UP_TO = BigDecimal.valueOf(100_000_000_000_000L);

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
        String value = pythonDecimalComma(text.trim());
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

    /**
     * A JSON number as epoch seconds (below {@link #MILLIS_FROM}, fraction allowed: Python's {@code time.time()})
     * or epoch milliseconds (from it up to {@link #MILLIS_UP_TO}); empty for a negative or larger number.
     */
    public Optional<Instant> parseEpoch(BigDecimal number) {
        if (number.signum() < 0 || number.compareTo(MILLIS_UP_TO) >= 0) {
            return Optional.empty();
        }
        BigDecimal nanos = number.compareTo(MILLIS_FROM) < 0
                ? number.movePointRight(9) : number.movePointRight(6);
        BigDecimal[] split = nanos.setScale(0, RoundingMode.HALF_UP)
                .divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
        return Optional.of(Instant.ofEpochSecond(split[0].longValueExact(), split[1].longValueExact()));
    }

    /** {@code 10:29:58,846} is {@code 10:29:58.846}: only the comma right after the seconds is a decimal mark. */
    private static String pythonDecimalComma(String value) {
        return value.length() > 19 && value.charAt(19) == ',' && value.charAt(16) == ':'
                ? value.substring(0, 19) + '.' + value.substring(20) : value;
    }

    private static boolean hasOffset(String value) {
        int time = value.indexOf('T');
        return value.endsWith("Z") || value.endsWith("z")
                || (time > 0 && (value.indexOf('+', time) > 0 || value.indexOf('-', time) > 0));
    }
}
