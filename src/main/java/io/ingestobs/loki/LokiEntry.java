package io.ingestobs.loki;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One log line for Loki: its stream, its time in nanoseconds, the line itself, and where it came from so that a
 * refusal can be sent to the dead-letter topic with its origin.
 * <p>
 * The line may be given as UTF-8 bytes ({@link #ofUtf8}, e.g. a Kafka record's value): the push body then carries
 * those bytes as they are, and they are decoded to a {@code String} only if someone asks for {@link #line()} (a
 * refusal on its way to the DLQ). Bytes that are not valid UTF-8 are sent as their decoding would be, with
 * U+FFFD for each malformed sequence, exactly as if the line had been given as that string.
 */
public final class LokiEntry {

    private static final int UNCHECKED = 0;
    private static final int VALID = 1;
    private static final int INVALID = 2;

    private final LokiStream stream;
    private final long epochNanos;
    private final byte[] utf8;
    private final String key;
    private final String origin;
    /** Decoded on first use; a String is immutable, so a racy first use only decodes twice. */
    private String line;
    private int utf8State;

    public LokiEntry(LokiStream stream, long epochNanos, String line, String key, String origin) {
        this(stream, epochNanos, Objects.requireNonNull(line, "line"), null, key, origin);
    }

    private LokiEntry(LokiStream stream, long epochNanos, String line, byte[] utf8, String key, String origin) {
        this.stream = stream;
        this.epochNanos = epochNanos;
        this.line = line;
        this.utf8 = utf8;
        this.key = key;
        this.origin = origin;
    }

    /** An entry whose line is the UTF-8 text {@code utf8}, kept as bytes (not copied: do not change them). */
    public static LokiEntry ofUtf8(LokiStream stream, long epochNanos, byte[] utf8, String key, String origin) {
        return new LokiEntry(stream, epochNanos, null, Objects.requireNonNull(utf8, "utf8"), key, origin);
    }

    public LokiStream stream() {
        return stream;
    }

    public long epochNanos() {
        return epochNanos;
    }

    public String line() {
        String text = line;
        if (text == null) {
            text = new String(utf8, StandardCharsets.UTF_8);
            line = text;
        }
        return text;
    }

    public String key() {
        return key;
    }

    public String origin() {
        return origin;
    }

    /** What the entry weighs in a push body, near enough for batching by bytes. */
    public int approximateBytes() {
        return (utf8 != null ? utf8.length : line.length()) + 32;
    }

    /** Whether the line, in UTF-8, is longer than {@code maxBytes}. */
    public boolean longerThan(int maxBytes) {
        // bytes stand for themselves when valid; each malformed byte becomes U+FFFD, 3 bytes, at worst
        if (utf8 != null && utf8.length * 3L <= maxBytes) {
            return false;
        }
        byte[] bytes = validUtf8();
        if (bytes != null) {
            return bytes.length > maxBytes;
        }
        String text = line();
        // a char is 1 to 3 bytes (a surrogate pair 4 for 2 chars): count the bytes only when it can matter
        return text.length() > maxBytes
                || (text.length() * 3L > maxBytes && text.getBytes(StandardCharsets.UTF_8).length > maxBytes);
    }

    /** The line's bytes when it was given as bytes and they are valid UTF-8 (then they are its encoding). */
    byte[] validUtf8() {
        if (utf8 == null) {
            return null;
        }
        int state = utf8State;
        if (state == UNCHECKED) {
            state = isValidUtf8(utf8) ? VALID : INVALID;
            utf8State = state;
        }
        return state == VALID ? utf8 : null;
    }

    /** The bytes given for the line, unless they are known not to be valid UTF-8 (not checked here). */
    byte[] utf8UnlessInvalid() {
        return utf8State == INVALID ? null : utf8;
    }

    /** What a writer that checked the bytes while copying them found. */
    void checkedUtf8(boolean valid) {
        utf8State = valid ? VALID : INVALID;
    }

    /** RFC 3629 UTF-8, as the JDK's decoder accepts it: no overlong forms, no surrogates, nothing past U+10FFFF. */
    static boolean isValidUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            if (b[i] >= 0) {
                i++;
            } else {
                int length = sequenceLength(b, i);
                if (length == 0) {
                    return false;
                }
                i += length;
            }
        }
        return true;
    }

    /** The length of the valid multi-byte UTF-8 sequence that starts at {@code i}, or 0 if it is malformed. */
    static int sequenceLength(byte[] b, int i) {
        int n = b.length;
        int c = b[i] & 0xFF;
        if (c >= 0xC2 && c <= 0xDF) {
            return i + 1 < n && continuation(b[i + 1]) ? 2 : 0;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
                return 0;
            }
            int second = b[i + 1] & 0xFF;
            return (c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) ? 0 : 3;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                return 0;
            }
            int second = b[i + 1] & 0xFF;
            return (c == 0xF0 && second < 0x90) || (c == 0xF4 && second > 0x8F) ? 0 : 4;
        }
        return 0;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LokiEntry e && epochNanos == e.epochNanos && Objects.equals(stream, e.stream)
                && line().equals(e.line()) && Objects.equals(key, e.key) && Objects.equals(origin, e.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, epochNanos, line(), key, origin);
    }

    @Override
    public String toString() {
        return "LokiEntry[stream=" + stream + ", epochNanos=" + epochNanos + ", line=" + line() + ", key=" + key
                + ", origin=" + origin + "]";
    }
}
