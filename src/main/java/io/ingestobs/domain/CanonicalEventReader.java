package io.ingestobs.domain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import static io.ingestobs.domain.CanonicalEventForm.ascii;

/**
 * The consumer's first reading of an event: the exact bytes {@link EventJson#write} gives (its field order, no
 * white space, no escape in a string), checked and read byte by byte in one pass, without a JSON parser. Anything
 * else, down to one byte out of place, returns null and is left to {@link EventJson#readStreaming} and the tree
 * reader, whose answer is the reference; when this returns an event, it is the event the tree reader would return.
 * <p>
 * Why: nearly every event on the topic was written by {@link EventJson#write}, and reading it with Jackson's
 * streaming parser (its per-document set-up, the canonicalisation of every field name, a {@code String} per value
 * read or skipped) was the largest share of the consumer thread's CPU (docs/benchmark.md, issue 14).
 */
final class CanonicalEventReader {

    private static final byte[] TIMESTAMP = ascii(CanonicalEventForm.TIMESTAMP);
    private static final byte[] VERSION = ascii(CanonicalEventForm.VERSION);
    private static final byte[] SOURCE = ascii(CanonicalEventForm.SOURCE);
    private static final byte[] SOURCE_TYPE = ascii(CanonicalEventForm.SOURCE_TYPE);
    private static final byte[] OBJET_NAME = ascii(CanonicalEventForm.OBJET_NAME);
    private static final byte[] TRANSFORMATION = ascii(CanonicalEventForm.TRANSFORMATION);
    private static final byte[] ETAT = ascii(CanonicalEventForm.ETAT);
    private static final byte[] DEBUT = ascii(CanonicalEventForm.DEBUT);
    private static final byte[] FIN = ascii(CanonicalEventForm.FIN);
    private static final byte[] DESCRIPTION = ascii(CanonicalEventForm.DESCRIPTION);
    private static final byte[] TRUNCATED = ascii(CanonicalEventForm.TRUNCATED);
    private static final byte[] PERFORMANCE = ascii(CanonicalEventForm.PERFORMANCE);
    private static final byte[] CPU = ascii(CanonicalEventForm.CPU);
    private static final byte[] MEMORY = ascii(CanonicalEventForm.MEMORY);
    private static final byte[] MEMORY_MB = ascii(CanonicalEventForm.MEMORY_MB);
    private static final byte[] LABELS = ascii(CanonicalEventForm.LABELS);
    private static final byte[] LABEL_SOURCE = ascii(CanonicalEventForm.LABEL_SOURCE);
    private static final byte[] ZONE = ascii(CanonicalEventForm.ZONE);
    private static final byte[] ENTREPRISE = ascii(CanonicalEventForm.ENTREPRISE);
    private static final byte[] METRICS = ascii(CanonicalEventForm.METRICS);
    private static final byte[] IS_SUCCESS = ascii(CanonicalEventForm.IS_SUCCESS);
    private static final byte[] HIGH_MEMORY = ascii(CanonicalEventForm.HIGH_MEMORY);
    private static final byte[] HIGH_CPU = ascii(CanonicalEventForm.HIGH_CPU);
    private static final byte[] END = ascii(CanonicalEventForm.END);
    private static final byte[] NULL = ascii(CanonicalEventForm.NULL);

    private final byte[] in;
    private int at;

    private CanonicalEventReader(byte[] in) {
        this.in = in;
    }

    /** The event {@code bytes} hold if they are exactly in the form {@link EventJson#write} gives; else null. */
    static IngestionEvent read(byte[] bytes) {
        try {
            return new CanonicalEventReader(bytes).event();
        } catch (NotCanonical e) {
            return null;
        }
    }

    private IngestionEvent event() {
        expect(TIMESTAMP);
        Instant timestamp = instant();
        expect(VERSION);
        skipString();                               // outcome: derived from etat, not read back
        expect(SOURCE);
        String source = requiredString();
        expect(SOURCE_TYPE);
        Long objetId = integerOrNull();
        expect(OBJET_NAME);
        String objet = requiredString();
        expect(TRANSFORMATION);
        String transformation = stringOrNull();
        expect(ETAT);
        String etat = requiredString();
        expect(DEBUT);
        Instant debut = nullHere() ? null : instant();
        expect(FIN);
        Instant fin = nullHere() ? null : instant();
        expect(DESCRIPTION);
        String description = stringOrNull();
        Long descriptionBytes = null;
        if (lookingAt(TRUNCATED)) {
            expect(TRUNCATED);
            descriptionBytes = integer();
        }
        expect(PERFORMANCE);
        Double duree = decimalOrNull();
        expect(CPU);
        Double cpu = decimalOrNull();
        expect(MEMORY);
        Long memory = integerOrNull();
        expect(MEMORY_MB);
        decimalOrNull();                            // derived from memory_used_bytes, not read back
        expect(LABELS);
        skipRequiredString();                       // etat again, for Loki queries
        expect(LABEL_SOURCE);
        skipRequiredString();                       // source again
        expect(ZONE);
        String zone = requiredString();
        expect(ENTREPRISE);
        String entreprise = requiredString();
        expect(METRICS);
        flag();
        expect(IS_SUCCESS);
        flag();
        expect(HIGH_MEMORY);
        boolean highMemory = flag();
        expect(HIGH_CPU);
        boolean highCpu = flag();
        expect(END);
        if (at != in.length) {
            throw NotCanonical.INSTANCE;
        }
        return new IngestionEvent(timestamp, source, objetId, objet, transformation, etat, debut, fin, description,
                descriptionBytes, duree, cpu, memory, zone, entreprise, highMemory, highCpu);
    }

    private boolean lookingAt(byte[] literal) {
        // most of an event's bytes are these literals (names, fixed values): compared as ranges, which the JDK
        // does several bytes at a time
        return in.length - at >= literal.length
                && Arrays.equals(in, at, at + literal.length, literal, 0, literal.length);
    }

    private void expect(byte[] literal) {
        if (!lookingAt(literal)) {
            throw NotCanonical.INSTANCE;
        }
        at += literal.length;
    }

    private boolean nullHere() {
        if (lookingAt(NULL)) {
            at += NULL.length;
            return true;
        }
        return false;
    }

    private String requiredString() {
        String value = string();
        if (value.isEmpty()) {
            throw NotCanonical.INSTANCE;
        }
        return value;
    }

    private String stringOrNull() {
        return nullHere() ? null : string();
    }

    private String string() {
        int start = stringStart();
        return text(start, stringEnd(start));
    }

    /** A string the reader does not keep: checked as {@link #string} checks it, made only if not ASCII. */
    private void skipRequiredString() {
        int start = stringStart();
        int end = stringEnd(start);
        if (end == start) {
            throw NotCanonical.INSTANCE;
        }
        if (end < 0) {
            text(start, end);
        }
    }

    private void skipString() {
        int start = stringStart();
        int end = stringEnd(start);
        if (end < 0) {
            text(start, end);
        }
    }

    /**
     * An instant in the writer's form, read from the bytes without making a string (three per event); another
     * form is read as {@link EventJson#instant} reads its text.
     */
    private Instant instant() {
        int start = stringStart();
        int end = stringEnd(start);
        Instant instant = EventJson.instant(end > 0 ? new AsciiText(in, start, end) : text(start, end));
        if (instant == null) {
            throw NotCanonical.INSTANCE;
        }
        return instant;
    }

    private int stringStart() {
        if (at >= in.length || in[at] != '"') {
            throw NotCanonical.INSTANCE;
        }
        return at + 1;
    }

    /**
     * Scans a string without escapes from {@code start} to its closing quote, and moves past it. Returns the end,
     * negated when the string holds a byte above ASCII.
     */
    private int stringEnd(int start) {
        int end = start;
        boolean ascii = true;
        while (true) {
            if (end >= in.length) {
                throw NotCanonical.INSTANCE;
            }
            byte b = in[end];
            if (b == '"') {
                break;
            }
            if (b == '\\' || (b >= 0 && b < 0x20)) {
                throw NotCanonical.INSTANCE;    // an escape, or a control character JSON does not allow raw
            }
            ascii &= b >= 0;
            end++;
        }
        at = end + 1;
        return ascii ? end : -end;
    }

    /**
     * The text of the bytes from {@code start} to {@code end} as {@link #stringEnd} gave it: a Latin-1 copy when
     * they are ASCII, else their UTF-8 decoding, when they are well-formed UTF-8, which the JDK's decoder then reads
     * as Jackson does; malformed bytes become U+FFFD in the JDK's decoding, so a string holding one is left to the
     * parsers (a genuine U+FFFD with it: rare, and merely slower).
     */
    private String text(int start, int end) {
        if (end >= 0) {
            return new String(in, start, end - start, StandardCharsets.ISO_8859_1);
        }
        String decoded = new String(in, start, -end - start, StandardCharsets.UTF_8);
        if (decoded.indexOf('\uFFFD') >= 0) {
            throw NotCanonical.INSTANCE;
        }
        return decoded;
    }

    private Long integerOrNull() {
        return nullHere() ? null : integer();
    }

    /** An integer that fits a long, no leading zero, no fraction or exponent. */
    private long integer() {
        boolean negative = at < in.length && in[at] == '-';
        if (negative) {
            at++;
        }
        int start = at;
        long value = 0;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            value = value * 10 + (in[at] - '0');
            at++;
        }
        int digits = at - start;
        if (digits == 0 || digits > 19 || (digits > 1 && in[start] == '0') || numberGoesOn()) {
            throw NotCanonical.INSTANCE;
        }
        if (digits == 19) {
            // may not fit a long: the parsers would read it as a big integer
            try {
                return Long.parseLong(new String(in, negative ? start - 1 : start, at - start + (negative ? 1 : 0),
                        StandardCharsets.ISO_8859_1));
            } catch (NumberFormatException e) {
                throw NotCanonical.INSTANCE;
            }
        }
        return negative ? -value : value;
    }

    private Double decimalOrNull() {
        return nullHere() ? null : decimal();
    }

    /**
     * A JSON number as a double, the value the parsers give: an integer as its long, anything else as
     * {@link Double#parseDouble} reads it. Without an exponent and with at most
     * 15 significant digits the digits make an exact long and the divisor an exact power of ten, so their one
     * division is correctly rounded, as {@code parseDouble} is (the fast path of {@code parseDouble} itself, taken
     * here without building a string); any other number goes through {@code parseDouble}.
     */
    private double decimal() {
        int start = at;
        boolean negative = at < in.length && in[at] == '-';
        if (negative) {
            at++;
        }
        int intStart = at;
        long digits = 0;
        int count = 0;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            digits = digits * 10 + (in[at] - '0');
            count++;
            at++;
        }
        int intDigits = at - intStart;
        if (intDigits == 0 || (intDigits > 1 && in[intStart] == '0')) {
            throw NotCanonical.INSTANCE;
        }
        int fractionDigits = 0;
        if (at < in.length && in[at] == '.') {
            at++;
            while (at < in.length && in[at] >= '0' && in[at] <= '9') {
                digits = digits * 10 + (in[at] - '0');
                count++;
                fractionDigits++;
                at++;
            }
            if (fractionDigits == 0) {
                throw NotCanonical.INSTANCE;
            }
        }
        boolean exponent = at < in.length && (in[at] == 'e' || in[at] == 'E');
        if (exponent) {
            at++;
            if (at < in.length && (in[at] == '+' || in[at] == '-')) {
                at++;
            }
            int expStart = at;
            while (at < in.length && in[at] >= '0' && in[at] <= '9') {
                at++;
            }
            if (at == expStart) {
                throw NotCanonical.INSTANCE;
            }
        }
        if (numberGoesOn()) {
            throw NotCanonical.INSTANCE;
        }
        if (!exponent && fractionDigits == 0) {
            // an integer token: the parsers read it as a long first (so "-0" is 0.0, not -0.0)
            if (count > 18) {
                throw NotCanonical.INSTANCE;
            }
            return (double) (negative ? -digits : digits);
        }
        if (!exponent && count <= 15) {
            double value = digits / CanonicalEventForm.POWERS_OF_TEN[fractionDigits];
            return negative ? -value : value;
        }
        return Double.parseDouble(new String(in, start, at - start, StandardCharsets.ISO_8859_1));
    }

    /** After a number only a comma or a closing brace may come in this form. */
    private boolean numberGoesOn() {
        return at >= in.length || (in[at] != ',' && in[at] != '}');
    }

    /** The 0/1 flags as the writer writes them. */
    private boolean flag() {
        if (at < in.length && (in[at] == '0' || in[at] == '1')) {
            boolean set = in[at] == '1';
            at++;
            if (!numberGoesOn()) {
                return set;
            }
        }
        throw NotCanonical.INSTANCE;
    }

    /** Not in the writer's form: the caller hands the event to the parsers. Thrown without a stack trace. */
    private static final class NotCanonical extends RuntimeException {
        static final NotCanonical INSTANCE = new NotCanonical();

        private NotCanonical() {
            super(null, null, false, false);
        }
    }

    /** ASCII bytes seen as text, for reading an instant without copying them into a string. */
    private record AsciiText(byte[] bytes, int from, int to) implements CharSequence {

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            return (char) bytes[from + index];
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new AsciiText(bytes, from + start, from + end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
        }
    }
}
