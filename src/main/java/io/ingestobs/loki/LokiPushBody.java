package io.ingestobs.loki;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code POST /loki/api/v1/push}: entries grouped by stream, in their order.
 * <p>
 * Written by hand rather than with a JSON generator: the lines are themselves JSON, a quote every few characters,
 * and a generator's per-character escaping of them was a quarter of the consumer's time. A line given as UTF-8
 * bytes (the Kafka record's value) is copied from those bytes, never decoded. The output is plain JSON, UTF-8,
 * with {@code "}, {@code \} and control characters escaped.
 */
public final class LokiPushBody {

    private static final byte[] HEX = "0123456789abcdef".getBytes();
    /** ASCII characters written as they are in a JSON string. */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    private LokiPushBody() {
    }

    public static byte[] encode(List<LokiEntry> entries) {
        ByteBuffer body = encode(entries, null);
        return body.remaining() == body.capacity() ? body.array() : Arrays.copyOf(body.array(), body.remaining());
    }

    /**
     * The body written into {@code scratch} when it is large enough, a new array otherwise: the returned buffer's
     * bytes from 0 to its limit. Reusing one array per push saves the consumer a body's worth of garbage per
     * request (~750 KB per 1,000 entries), most of what it allocated for Loki.
     */
    public static ByteBuffer encode(List<LokiEntry> entries, byte[] scratch) {
        Map<LokiStream, List<LokiEntry>> byStream = new LinkedHashMap<>();
        long size = 64;
        int longest = 0;
        for (LokiEntry entry : entries) {
            byStream.computeIfAbsent(entry.stream(), s -> new ArrayList<>()).add(entry);
            int weight = entry.approximateBytes();
            size += weight * 5L / 4;
            longest = Math.max(longest, weight);
        }
        // a line's worst case is reserved before it is written: that much on top, so the buffer seldom grows
        Out out = new Out((int) Math.min(Integer.MAX_VALUE - 16, size + byStream.size() * 160L + longest * 6L),
                scratch);
        out.ascii("{\"streams\":[");
        boolean firstStream = true;
        for (Map.Entry<LokiStream, List<LokiEntry>> stream : byStream.entrySet()) {
            out.ascii(firstStream ? "{\"stream\":{" : ",{\"stream\":{");
            firstStream = false;
            boolean firstLabel = true;
            for (Map.Entry<String, String> label : stream.getKey().labels().entrySet()) {
                if (!firstLabel) {
                    out.add((byte) ',');
                }
                firstLabel = false;
                out.string(label.getKey());
                out.add((byte) ':');
                out.string(label.getValue());
            }
            out.ascii("},\"values\":[");
            boolean firstValue = true;
            for (LokiEntry entry : stream.getValue()) {
                out.ascii(firstValue ? "[\"" : ",[\"");
                firstValue = false;
                out.ascii(Long.toString(entry.epochNanos()));
                out.ascii("\",");
                byte[] utf8 = entry.utf8UnlessInvalid();
                if (utf8 == null) {
                    out.string(entry.line());
                } else {
                    boolean valid = out.utf8String(utf8);
                    entry.checkedUtf8(valid);
                    if (!valid) {
                        out.string(entry.line());
                    }
                }
                out.add((byte) ']');
            }
            out.ascii("]}");
        }
        out.ascii("]}");
        return ByteBuffer.wrap(out.buf, 0, out.len);
    }

    /** A growable byte buffer with the JSON string encoding. */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity, byte[] scratch) {
            buf = scratch != null && scratch.length >= capacity ? scratch : new byte[Math.max(capacity, 256)];
        }

        void add(byte b) {
            if (len == buf.length) {
                grow(1);
            }
            buf[len++] = b;
        }

        /** Text known to be ASCII and to need no escaping. */
        void ascii(String text) {
            int n = text.length();
            if (len + n > buf.length) {
                grow(n);
            }
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) text.charAt(i);
            }
        }

        /** A JSON string literal, quotes included, UTF-8. */
        void string(String text) {
            int n = text.length();
            // room for the worst case (a six-byte escape per char) once, so the loop below checks nothing
            if (len + n * 6L + 2 > buf.length) {
                grow(n * 6 + 2);
            }
            byte[] b = buf;
            int at = len;
            b[at++] = '"';
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                if (c < 0x80 && PLAIN[c]) {
                    b[at++] = (byte) c;
                } else if (c < 0x80) {
                    at = escape(b, at, c);
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | (c >> 6));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                } else if (!Character.isSurrogate(c)) {
                    b[at++] = (byte) (0xE0 | (c >> 12));
                    b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, text.charAt(++i));
                    b[at++] = (byte) (0xF0 | (cp >> 18));
                    b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    // a lone surrogate cannot be UTF-8: JSON's escape reads back as the same char
                    at = escape(b, at, c);
                }
            }
            b[at++] = '"';
            len = at;
        }

        /**
         * A JSON string literal of text already in UTF-8: the bytes as they are, but for the escapes, checked
         * while copied. Writes nothing and returns false if they are not valid UTF-8.
         */
        boolean utf8String(byte[] utf8) {
            int n = utf8.length;
            if (len + n * 6L + 2 > buf.length) {
                grow(n * 6 + 2);
            }
            byte[] b = buf;
            int at = len;
            b[at++] = '"';
            int i = 0;
            while (i < n) {
                byte c = utf8[i];
                if (c >= 0) {
                    if (PLAIN[c]) {
                        b[at++] = c;
                    } else {
                        at = escape(b, at, (char) c);
                    }
                    i++;
                } else {
                    int length = LokiEntry.sequenceLength(utf8, i);
                    if (length == 0) {
                        return false;
                    }
                    for (int end = i + length; i < end; i++) {
                        b[at++] = utf8[i];
                    }
                }
            }
            b[at++] = '"';
            len = at;
            return true;
        }

        private static int escape(byte[] b, int at, char c) {
            b[at++] = '\\';
            switch (c) {
                case '"' -> b[at++] = '"';
                case '\\' -> b[at++] = '\\';
                case '\n' -> b[at++] = 'n';
                case '\r' -> b[at++] = 'r';
                case '\t' -> b[at++] = 't';
                case '\b' -> b[at++] = 'b';
                case '\f' -> b[at++] = 'f';
                default -> {
                    b[at++] = 'u';
                    b[at++] = HEX[(c >> 12) & 0xF];
                    b[at++] = HEX[(c >> 8) & 0xF];
                    b[at++] = HEX[(c >> 4) & 0xF];
                    b[at++] = HEX[c & 0xF];
                }
            }
            return at;
        }

        private void grow(int needed) {
            long wanted = Math.max((long) buf.length * 2, (long) len + needed + 16);
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, wanted));
        }
    }
}
