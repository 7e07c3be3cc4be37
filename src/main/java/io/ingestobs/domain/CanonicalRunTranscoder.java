package io.ingestobs.domain;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

import static io.ingestobs.domain.CanonicalEventForm.QUOTE;
import static io.ingestobs.domain.CanonicalEventForm.ascii;

/**
 * The producer's first reading of an input record: one JSON object in the plain form connectors write (the SPEC §2
 * fields, each at most once, strings without escapes in valid UTF-8, plain decimal numbers, local timestamps
 * {@code yyyy-MM-dd HH:mm:ss[.fraction]} read in UTC), checked and turned into the event bytes of SPEC §3 in one pass
 * over its bytes, without a JSON parser, a tree, a {@link RunRecord} or a {@code String} per field. Anything else, down
 * to one byte out of the plain form (an escape, an epoch or ISO timestamp, a number in exponent form, a missing or
 * unknown field, a value to reject), returns null and is left to the reference path ({@link RunRecordValidator},
 * {@link EventRestructurer}, {@link EventJson#write}); when this returns an event, its bytes are exactly the ones that
 * path writes.
 * <p>
 * Why: a raw Kafka producer sends bytes that already exist; parsing each line into a tree, then writing the event
 * with a generator, took most of the producer's CPU (docs/benchmark.md, issue 13).
 */
public final class CanonicalRunTranscoder {

    /** The topic record of one input record: its key (the source) and the event's bytes. */
    public record Transcoded(String key, byte[] event) {
    }

    /** Eight bytes at a time: a string's plain ASCII run is skipped a word at a time. */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = '"' * ONES;
    private static final long BACKSLASHES = '\\' * ONES;
    private static final long SPACES = ' ' * ONES;

    private static final int ID = 0;
    private static final int SOURCE = 1;
    private static final int OBJET = 2;
    private static final int TRANSFORMATION = 3;
    private static final int ETAT = 4;
    private static final int DEBUT = 5;
    private static final int FIN = 6;
    private static final int DUREE = 7;
    private static final int CPU = 8;
    private static final int MEMORY = 9;
    private static final int DESCRIPTION = 10;
    private static final int ZONE = 11;
    private static final int ENTREPRISE = 12;
    private static final byte[][] FIELDS = {ascii("id"), ascii("Source"), ascii("Objet"), ascii("Transformation"),
            ascii("Etat"), ascii("Debut"), ascii("Fin"), ascii("Duree secondes"), ascii("cpu_time"),
            ascii("memory_used"), ascii("Description"), ascii("zone"), ascii("entreprise")};

    private static final byte ABSENT = 0;
    private static final byte STRING = 1;
    private static final byte NUMBER = 2;
    private static final byte NULL = 3;

    /**
     * {@code k / 100.0} for every {@code k} below this is written by {@link Double#toString} as the plain decimal
     * {@code k / 100} (checked for each of them by CanonicalRunTranscoderTest on the JDK the build runs): the MiB
     * figure of up to about 190 GiB is then written without it.
     */
    static final long PLAIN_HUNDREDTHS_BELOW = 20_000_000L;
    private static final double BYTES_PER_MIB = 1_048_576.0;

    private static final byte[] TIMESTAMP = ascii(CanonicalEventForm.TIMESTAMP + QUOTE);
    private static final byte[] VERSION = ascii(QUOTE + CanonicalEventForm.VERSION + QUOTE);
    private static final byte[] SOURCE_NAME = ascii(QUOTE + CanonicalEventForm.SOURCE + QUOTE);
    private static final byte[] OBJET_ID = ascii(QUOTE + CanonicalEventForm.SOURCE_TYPE);
    private static final byte[] OBJET_NAME = ascii(CanonicalEventForm.OBJET_NAME + QUOTE);
    private static final byte[] TRANSFORMATION_FIELD = ascii(QUOTE + CanonicalEventForm.TRANSFORMATION);
    private static final byte[] ETAT_FIELD = ascii(CanonicalEventForm.ETAT + QUOTE);
    private static final byte[] DEBUT_FIELD = ascii(QUOTE + CanonicalEventForm.DEBUT);
    private static final byte[] FIN_FIELD = ascii(CanonicalEventForm.FIN);
    private static final byte[] DESCRIPTION_FIELD = ascii(CanonicalEventForm.DESCRIPTION);
    private static final byte[] DUREE_FIELD = ascii(CanonicalEventForm.PERFORMANCE);
    private static final byte[] CPU_FIELD = ascii(CanonicalEventForm.CPU);
    private static final byte[] MEMORY_FIELD = ascii(CanonicalEventForm.MEMORY);
    private static final byte[] MEMORY_MB_FIELD = ascii(CanonicalEventForm.MEMORY_MB);
    private static final byte[] LABELS = ascii(CanonicalEventForm.LABELS + QUOTE);
    private static final byte[] LABEL_SOURCE = ascii(QUOTE + CanonicalEventForm.LABEL_SOURCE + QUOTE);
    private static final byte[] LABEL_ZONE = ascii(QUOTE + CanonicalEventForm.ZONE + QUOTE);
    private static final byte[] LABEL_ENTREPRISE = ascii(QUOTE + CanonicalEventForm.ENTREPRISE + QUOTE);
    private static final byte[] METRICS = ascii(QUOTE + CanonicalEventForm.METRICS);
    private static final byte[] IS_SUCCESS = ascii(CanonicalEventForm.IS_SUCCESS);
    private static final byte[] HIGH_MEMORY = ascii(CanonicalEventForm.HIGH_MEMORY);
    private static final byte[] HIGH_CPU = ascii(CanonicalEventForm.HIGH_CPU);
    private static final byte[] END = ascii(CanonicalEventForm.END);
    private static final byte[] NULL_TEXT = ascii(CanonicalEventForm.NULL);
    private static final byte[] UNKNOWN = ascii(IngestionEvent.UNKNOWN);
    private static final byte[] SUCCESS = ascii("SUCCESS");
    private static final byte[] FAILED = ascii("FAILED");
    private static final byte[] OUTCOME_SUCCESS = ascii("success");
    private static final byte[] OUTCOME_FAILURE = ascii("failure");
    private static final byte[] OUTCOME_UNKNOWN = ascii("unknown");
    private static final byte[] POINT_ZERO = ascii(".0");

    private final Thresholds thresholds;
    private final int descriptionMaxBytes;

    private CanonicalRunTranscoder(Thresholds thresholds, int descriptionMaxBytes) {
        this.thresholds = thresholds;
        this.descriptionMaxBytes = descriptionMaxBytes;
    }

    /**
     * The transcoder for records read in {@code zone}; null when the zone is not UTC (a local time then needs the
     * zone's rules: the reference path reads it).
     */
    public static CanonicalRunTranscoder forZone(ZoneId zone, Thresholds thresholds, int descriptionMaxBytes) {
        return zone.normalized().equals(ZoneOffset.UTC)
                ? new CanonicalRunTranscoder(thresholds, descriptionMaxBytes) : null;
    }

    /** A reader of one stream's lines, with buffers of its own (not thread-safe). */
    public Session session() {
        return new Session();
    }

    /** Where each field's value is in the line being read. */
    public final class Session {
        private final byte[] kinds = new byte[FIELDS.length];
        private final int[] starts = new int[FIELDS.length];
        private final int[] ends = new int[FIELDS.length];
        private final byte[][] keyBytes = new byte[64][];
        private final String[] keyTexts = new String[64];
        private byte[] in;
        private byte[] out = new byte[1024];
        private int size;

        private Session() {
        }

        /** The record {@code line[from, to)} holds, or null when it is not in the plain form. */
        public Transcoded transcode(byte[] line, int from, int to) {
            this.in = line;
            Arrays.fill(kinds, ABSENT);
            try {
                if (!scan(from, to)) {
                    return null;
                }
                return write();
            } finally {
                this.in = null;
            }
        }

        // ------------------------------------------------------------------------------------ reading the object

        private boolean scan(int from, int to) {
            int i = space(from, to);
            if (i >= to || in[i] != '{') {
                return false;
            }
            i = space(i + 1, to);
            while (true) {
                if (i >= to || in[i] != '"') {
                    return false;
                }
                int nameStart = i + 1;
                int nameEnd = nameStart;
                while (nameEnd < to && in[nameEnd] != '"') {
                    if (in[nameEnd] == '\\') {
                        return false;
                    }
                    nameEnd++;
                }
                if (nameEnd >= to) {
                    return false;
                }
                int field = field(nameStart, nameEnd);
                if (field < 0 || kinds[field] != ABSENT) {
                    return false;
                }
                i = space(nameEnd + 1, to);
                if (i >= to || in[i] != ':') {
                    return false;
                }
                i = space(i + 1, to);
                if (i >= to) {
                    return false;
                }
                byte b = in[i];
                if (b == '"') {
                    int end = string(i + 1, to);
                    if (end < 0) {
                        return false;
                    }
                    kinds[field] = STRING;
                    starts[field] = i + 1;
                    ends[field] = end;
                    i = end + 1;
                } else if (b == 'n') {
                    if (i + 4 > to || in[i + 1] != 'u' || in[i + 2] != 'l' || in[i + 3] != 'l') {
                        return false;
                    }
                    kinds[field] = NULL;
                    i += 4;
                } else if (b >= '0' && b <= '9' || b == '-') {
                    int end = i + 1;
                    while (end < to && isNumberByte(in[end])) {
                        end++;
                    }
                    kinds[field] = NUMBER;
                    starts[field] = i;
                    ends[field] = end;
                    i = end;
                } else {
                    return false;
                }
                i = space(i, to);
                if (i >= to) {
                    return false;
                }
                if (in[i] == ',') {
                    i = space(i + 1, to);
                } else if (in[i] == '}') {
                    return space(i + 1, to) == to;
                } else {
                    return false;
                }
            }
        }

        private int space(int i, int to) {
            while (i < to && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) {
                i++;
            }
            return i;
        }

        private boolean isNumberByte(byte b) {
            return b >= '0' && b <= '9' || b == '.' || b == '-' || b == '+' || b == 'e' || b == 'E';
        }

        private int field(int start, int end) {
            int length = end - start;
            for (int f = 0; f < FIELDS.length; f++) {
                byte[] name = FIELDS[f];
                if (name.length == length && Arrays.equals(in, start, end, name, 0, length)) {
                    return f;
                }
            }
            return -1;
        }

        /**
         * The end (closing quote) of a string whose text starts at {@code i}, or -1 when it holds an escape, a
         * control character or anything but well-formed UTF-8 (what a JSON parser reading the decoded line would
         * read differently, or refuse).
         */
        private int string(int i, int to) {
            while (i < to) {
                i = skipPlainAscii(i, to);
                if (i >= to) {
                    return -1;
                }
                int b = in[i];
                if (b == '"') {
                    return i;
                }
                if (b == '\\' || (b >= 0 && b < 0x20)) {
                    return -1;
                }
                if (b >= 0) {
                    i++;
                    continue;
                }
                int n = utf8Sequence(i, to);
                if (n < 0) {
                    return -1;
                }
                i += n;
            }
            return -1;
        }

        /**
         * The first quote, backslash, control character or non-ASCII byte from {@code i} on, as far as whole words
         * go; {@code to} or the last partial word's start otherwise (the bytes before it are plain ASCII).
         */
        private int skipPlainAscii(int i, int to) {
            while (i + 8 <= to) {
                long word = (long) WORDS.get(in, i);
                long special = zeroBytes(word ^ QUOTES) | zeroBytes(word ^ BACKSLASHES)
                        | ((word - SPACES) & ~word & HIGH_BITS) | (word & HIGH_BITS);
                if (special != 0) {
                    // the lowest flag of each test is exact (a false one can only follow a true one)
                    return i + (Long.numberOfTrailingZeros(special) >>> 3);
                }
                i += 8;
            }
            return i;
        }

        /** The length of the well-formed UTF-8 sequence of a character up to U+FFFF at {@code i}, or -1. */
        private int utf8Sequence(int i, int to) {
            int b0 = in[i] & 0xFF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                return i + 1 < to && continuation(in[i + 1]) ? 2 : -1;
            }
            if (b0 >= 0xE0 && b0 <= 0xEF) {
                if (i + 2 >= to || !continuation(in[i + 1]) || !continuation(in[i + 2])) {
                    return -1;
                }
                int b1 = in[i + 1] & 0xFF;
                // no overlong form, no surrogate
                if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) {
                    return -1;
                }
                return 3;
            }
            // a character beyond U+FFFF (an emoji) is written by Jackson's generator as two \\u escapes
            // (a surrogate pair), not as its four bytes: left to it
            return -1;
        }

        private boolean continuation(byte b) {
            return (b & 0xC0) == 0x80;
        }

        // ------------------------------------------------------------------------------------ checks and event

        private Transcoded write() {
            // required text fields, as the validator takes them: present, a string, not blank, trimmed
            if (!plainText(SOURCE) || !plainText(OBJET) || !plainText(ETAT) || !asciiOnly(ETAT)) {
                return null;
            }
            if (!optionalText(TRANSFORMATION) || !optionalText(DESCRIPTION) || !label(ZONE)
                    || !label(ENTREPRISE)) {
                return null;
            }
            if (kinds[DESCRIPTION] == STRING && ends[DESCRIPTION] - starts[DESCRIPTION] > descriptionMaxBytes) {
                return null;
            }
            boolean debut = kinds[DEBUT] == STRING;
            boolean fin = kinds[FIN] == STRING;
            if (!debut && kinds[DEBUT] != ABSENT && kinds[DEBUT] != NULL
                    || !fin && kinds[FIN] != ABSENT && kinds[FIN] != NULL || !debut && !fin
                    || debut && !localTime(DEBUT) || fin && !localTime(FIN)) {
                return null;
            }
            // a missing duration is derived from Fin - Debut by the reference path
            if (kinds[DUREE] != NUMBER || plainDecimal(DUREE) < 0) {
                return null;
            }
            double cpu = 0;
            if (kinds[CPU] == NUMBER) {
                long digits = plainDecimal(CPU);
                if (digits < 0) {
                    return null;
                }
                cpu = value(CPU);
            } else if (kinds[CPU] == STRING) {
                return null;
            }
            long memory = -1;
            if (kinds[MEMORY] == NUMBER) {
                memory = plainInteger(MEMORY, false);
                if (memory < 0) {
                    return null;
                }
            } else if (kinds[MEMORY] == STRING) {
                return null;
            }
            if (kinds[ID] == NUMBER) {
                if (plainInteger(ID, true) == Long.MIN_VALUE) {
                    return null;
                }
            } else if (kinds[ID] == STRING) {
                return null;
            }

            size = 0;
            int etatLength = ends[ETAT] - starts[ETAT];
            boolean failed = upperCaseEquals(FAILED, etatLength);
            boolean succeeded = !failed && upperCaseEquals(SUCCESS, etatLength);
            append(TIMESTAMP);
            timestamp(fin ? FIN : DEBUT);
            append(VERSION);
            append(failed ? OUTCOME_FAILURE : succeeded ? OUTCOME_SUCCESS : OUTCOME_UNKNOWN);
            append(SOURCE_NAME);
            copy(SOURCE);
            append(OBJET_ID);
            if (kinds[ID] == NUMBER) {
                copy(ID);
            } else {
                append(NULL_TEXT);
            }
            append(OBJET_NAME);
            copy(OBJET);
            append(TRANSFORMATION_FIELD);
            quotedOrNull(TRANSFORMATION);
            append(ETAT_FIELD);
            upperCase(ETAT);
            append(DEBUT_FIELD);
            timestampOrNull(DEBUT);
            append(FIN_FIELD);
            timestampOrNull(FIN);
            append(DESCRIPTION_FIELD);
            quotedOrNull(DESCRIPTION);
            append(DUREE_FIELD);
            decimal(DUREE);
            append(CPU_FIELD);
            if (kinds[CPU] == NUMBER) {
                decimal(CPU);
            } else {
                append(NULL_TEXT);
            }
            append(MEMORY_FIELD);
            if (memory >= 0) {
                copy(MEMORY);
                append(MEMORY_MB_FIELD);
                hundredths(Math.round(memory / BYTES_PER_MIB * 100));
            } else {
                append(NULL_TEXT);
                append(MEMORY_MB_FIELD);
                append(NULL_TEXT);
            }
            append(LABELS);
            upperCase(ETAT);
            append(LABEL_SOURCE);
            copy(SOURCE);
            append(LABEL_ZONE);
            labelValue(ZONE);
            append(LABEL_ENTREPRISE);
            labelValue(ENTREPRISE);
            append(METRICS);
            digit(failed ? 1 : 0);
            append(IS_SUCCESS);
            digit(succeeded ? 1 : 0);
            append(HIGH_MEMORY);
            digit(memory >= 0 && memory > thresholds.highMemoryBytes() ? 1 : 0);
            append(HIGH_CPU);
            digit(kinds[CPU] == NUMBER && cpu > thresholds.highCpuSeconds() ? 1 : 0);
            append(END);
            return new Transcoded(key(), Arrays.copyOf(out, size));
        }

        /** A string that needs no trim and is not blank: its first and last bytes are visible ASCII. */
        private boolean plainText(int field) {
            if (kinds[field] != STRING || ends[field] == starts[field]) {
                return false;
            }
            return visibleAscii(in[starts[field]]) && visibleAscii(in[ends[field] - 1]);
        }

        private boolean visibleAscii(byte b) {
            return b > ' ' && b < 0x7F;
        }

        private boolean asciiOnly(int field) {
            for (int i = starts[field]; i < ends[field]; i++) {
                if (in[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        private boolean optionalText(int field) {
            return kinds[field] != NUMBER;
        }

        /** Zone and entreprise: missing or empty is {@code unknown}; a value that may be blank is left to the reference. */
        private boolean label(int field) {
            if (kinds[field] == NUMBER) {
                return false;
            }
            return kinds[field] != STRING || ends[field] == starts[field] || visibleAscii(in[starts[field]]);
        }

        private void labelValue(int field) {
            if (kinds[field] == STRING && ends[field] > starts[field]) {
                copy(field);
            } else {
                append(UNKNOWN);
            }
        }

        /**
         * {@code yyyy-MM-dd HH:mm:ss}, then {@code .} or {@code ,} and 1 to 9 digits or nothing: the input's local
         * form, every field in its plain range (anything the formatter would adjust or refuse is left to it).
         */
        private boolean localTime(int field) {
            int s = starts[field];
            int length = ends[field] - s;
            if (length < 19 || length == 20 || length > 29 || in[s + 4] != '-' || in[s + 7] != '-'
                    || in[s + 10] != ' ' || in[s + 13] != ':' || in[s + 16] != ':') {
                return false;
            }
            int year = digits(s, 4);
            int month = digits(s + 5, 2);
            int day = digits(s + 8, 2);
            int hour = digits(s + 11, 2);
            int minute = digits(s + 14, 2);
            int second = digits(s + 17, 2);
            if (year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
                    || minute > 59 || second < 0 || second > 59
                    || day > java.time.Month.of(month).length(Year.isLeap(year))) {
                return false;
            }
            if (length > 19) {
                if (in[s + 19] != '.' && in[s + 19] != ',') {
                    return false;
                }
                return digits(s + 20, length - 20) >= 0;
            }
            return true;
        }

        /** The value of {@code count} ASCII digits at {@code from} (at most 9), or -1. */
        private int digits(int from, int count) {
            int value = 0;
            for (int i = from; i < from + count; i++) {
                int d = in[i] - '0';
                if (d < 0 || d > 9) {
                    return -1;
                }
                value = value * 10 + d;
            }
            return value;
        }

        /** The local time written as the UTC instant it is, to the millisecond (cut, not rounded, as the reference). */
        private void timestamp(int field) {
            int s = starts[field];
            int length = ends[field] - s;
            ensure(24);
            System.arraycopy(in, s, out, size, 10);
            out[size + 10] = 'T';
            System.arraycopy(in, s + 11, out, size + 11, 8);
            out[size + 19] = '.';
            for (int k = 0; k < 3; k++) {
                out[size + 20 + k] = 20 + k < length ? in[s + 20 + k] : (byte) '0';
            }
            out[size + 23] = 'Z';
            size += 24;
        }

        private void timestampOrNull(int field) {
            if (kinds[field] == STRING) {
                append((byte) '"');
                timestamp(field);
                append((byte) '"');
            } else {
                append(NULL_TEXT);
            }
        }

        /**
         * A non-negative plain decimal ({@code 0}, {@code 12}, {@code 1.154133}) of at most 15 significant digits
         * whose double {@link Double#toString} writes in plain form (from 10^-3 to below 10^7): its significant
         * digits, or -1 for any other number (the reference reads and writes it).
         */
        private long plainDecimal(int field) {
            int s = starts[field];
            int e = ends[field];
            int point = -1;
            long mantissa = 0;
            int significant = 0;
            for (int i = s; i < e; i++) {
                byte b = in[i];
                if (b == '.') {
                    if (point >= 0 || i == s || i == e - 1) {
                        return -1;
                    }
                    point = i;
                } else if (b >= '0' && b <= '9') {
                    if (mantissa > 0 || b != '0') {
                        significant++;
                    }
                    mantissa = mantissa * 10 + (b - '0');
                    if (significant > 15) {
                        return -1;
                    }
                } else {
                    return -1;
                }
            }
            int integerDigits = (point < 0 ? e : point) - s;
            if (integerDigits > 1 && in[s] == '0' || integerDigits > 7) {
                return -1;
            }
            if (mantissa == 0) {
                return 0;
            }
            if (integerDigits == 1 && in[s] == '0') {
                // 0.00x is the smallest written plain: the first significant digit is among the first three
                int firstSignificant = point + 1;
                while (in[firstSignificant] == '0') {
                    firstSignificant++;
                }
                if (firstSignificant - point > 3) {
                    return -1;
                }
            }
            return mantissa;
        }

        /** The double the text of a {@link #plainDecimal} is, rounded once, as {@link Double#parseDouble} does. */
        private double value(int field) {
            int s = starts[field];
            int e = ends[field];
            long mantissa = 0;
            int scale = 0;
            boolean fraction = false;
            for (int i = s; i < e; i++) {
                byte b = in[i];
                if (b == '.') {
                    fraction = true;
                } else {
                    mantissa = mantissa * 10 + (b - '0');
                    if (fraction) {
                        scale++;
                    }
                }
            }
            double[] powers = CanonicalEventForm.POWERS_OF_TEN;
            return scale < powers.length ? mantissa / powers[scale]
                    : Double.parseDouble(new String(in, s, e - s, StandardCharsets.ISO_8859_1));
        }

        /** A plain decimal as {@link Double#toString} writes its double: trailing zeros of the fraction dropped. */
        private void decimal(int field) {
            int s = starts[field];
            int e = ends[field];
            int point = -1;
            for (int i = s; i < e; i++) {
                if (in[i] == '.') {
                    point = i;
                    break;
                }
            }
            if (point < 0) {
                append(in, s, e - s);
                append(POINT_ZERO);
                return;
            }
            int last = e - 1;
            while (last > point + 1 && in[last] == '0') {
                last--;
            }
            append(in, s, last + 1 - s);
        }

        /**
         * A JSON integer without sign (or with one when {@code signed}), at most 18 digits, no leading zero, not
         * {@code -0}: its value (the reference reads and writes it as a long, the same digits). Else -1, or
         * {@link Long#MIN_VALUE} when {@code signed}.
         */
        private long plainInteger(int field, boolean signed) {
            int s = starts[field];
            int e = ends[field];
            long refused = signed ? Long.MIN_VALUE : -1;
            boolean negative = in[s] == '-';
            if (negative && !signed) {
                return refused;
            }
            int first = negative ? s + 1 : s;
            int count = e - first;
            if (count < 1 || count > 18 || (in[first] == '0' && (count > 1 || negative))) {
                return refused;
            }
            long value = 0;
            for (int i = first; i < e; i++) {
                int d = in[i] - '0';
                if (d < 0 || d > 9) {
                    return refused;
                }
                value = value * 10 + d;
            }
            return negative ? -value : value;
        }

        /** {@code k / 100.0} as {@link Double#toString} writes it. */
        private void hundredths(long k) {
            if (k < 0 || k >= PLAIN_HUNDREDTHS_BELOW) {
                append(ascii(Double.toString(k / 100.0)));
                return;
            }
            appendLong(k / 100);
            append((byte) '.');
            int cents = (int) (k % 100);
            if (cents == 0) {
                append((byte) '0');
            } else if (cents % 10 == 0) {
                append((byte) ('0' + cents / 10));
            } else {
                append((byte) ('0' + cents / 10));
                append((byte) ('0' + cents % 10));
            }
        }

        private boolean upperCaseEquals(byte[] expected, int length) {
            if (expected.length != length) {
                return false;
            }
            for (int k = 0; k < length; k++) {
                if (upper(in[starts[ETAT] + k]) != expected[k]) {
                    return false;
                }
            }
            return true;
        }

        private byte upper(byte b) {
            return b >= 'a' && b <= 'z' ? (byte) (b - 32) : b;
        }

        private void upperCase(int field) {
            int length = ends[field] - starts[field];
            ensure(length);
            for (int k = 0; k < length; k++) {
                out[size + k] = upper(in[starts[field] + k]);
            }
            size += length;
        }

        private void quotedOrNull(int field) {
            if (kinds[field] == STRING) {
                append((byte) '"');
                copy(field);
                append((byte) '"');
            } else {
                append(NULL_TEXT);
            }
        }

        private void copy(int field) {
            append(in, starts[field], ends[field] - starts[field]);
        }

        /** The source as text: a file has few of them, each kept once rather than made again for every record. */
        private String key() {
            int s = starts[SOURCE];
            int e = ends[SOURCE];
            int hash = e - s;
            for (int i = s; i < e; i++) {
                hash = 31 * hash + in[i];
            }
            int slot = hash & (keyTexts.length - 1);
            byte[] known = keyBytes[slot];
            if (known != null && Arrays.equals(known, 0, known.length, in, s, e)) {
                return keyTexts[slot];
            }
            keyBytes[slot] = Arrays.copyOfRange(in, s, e);
            keyTexts[slot] = new String(in, s, e - s, StandardCharsets.UTF_8);
            return keyTexts[slot];
        }

        private void digit(int d) {
            append((byte) ('0' + d));
        }

        private void appendLong(long value) {
            if (value < 10) {
                append((byte) ('0' + value));
                return;
            }
            appendLong(value / 10);
            append((byte) ('0' + value % 10));
        }

        private void append(byte b) {
            ensure(1);
            out[size++] = b;
        }

        private void append(byte[] bytes) {
            append(bytes, 0, bytes.length);
        }

        private void append(byte[] bytes, int from, int length) {
            ensure(length);
            System.arraycopy(bytes, from, out, size, length);
            size += length;
        }

        private void ensure(int more) {
            if (size + more > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
            }
        }
    }

    /** A flag (high bit) on each zero byte of {@code word}, and maybe on bytes after the first: never before it. */
    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }
}
