package io.ingestobs.domain;

/**
 * A text held to a budget of UTF-8 bytes (SPEC §2: {@code DESCRIPTION_MAX_BYTES}): cut between two characters,
 * never inside one, and ended with {@link #MARKER} so that a reader sees it is not the whole text.
 *
 * @param text          the text, whole or cut; with the marker it takes at most the budget
 * @param originalBytes the whole text's length in UTF-8 bytes
 * @param truncated     whether the text was cut
 */
public record Utf8Cut(String text, long originalBytes, boolean truncated) {

    public static final String MARKER = " …[tronqué]";
    public static final int MARKER_BYTES = (int) utf8Length(MARKER);

    /** {@code text} as it is when its UTF-8 form fits in {@code maxBytes}, else cut with the marker. */
    public static Utf8Cut of(String text, int maxBytes) {
        if (maxBytes < MARKER_BYTES) {
            throw new IllegalArgumentException("a text budget must hold the marker '" + MARKER + "' ("
                    + MARKER_BYTES + " bytes), got " + maxBytes);
        }
        long length = utf8Length(text);
        if (length <= maxBytes) {
            return new Utf8Cut(text, length, false);
        }
        int budget = maxBytes - MARKER_BYTES;
        int end = 0;
        int used = 0;
        while (end < text.length()) {
            char c = text.charAt(end);
            boolean pair = Character.isHighSurrogate(c) && end + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(end + 1));
            int bytes = pair ? 4 : utf8Length(c);
            if (used + bytes > budget) {
                break;
            }
            used += bytes;
            end += pair ? 2 : 1;
        }
        return new Utf8Cut(text.substring(0, end) + MARKER, length, true);
    }

    /** The length of {@code text} once encoded as UTF-8 (a lone surrogate is written as one byte, {@code ?}). */
    public static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += utf8Length(c);
            }
        }
        return bytes;
    }

    private static int utf8Length(char c) {
        if (c < 0x80 || Character.isSurrogate(c)) {
            return 1;
        }
        return c < 0x800 ? 2 : 3;
    }
}
