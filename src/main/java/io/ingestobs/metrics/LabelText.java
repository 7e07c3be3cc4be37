package io.ingestobs.metrics;

import java.nio.charset.StandardCharsets;

/**
 * A series' labels as they appear between the braces of an exposition line, rendered once when the series is
 * made: every scrape then copies these bytes instead of escaping and encoding the same values again.
 */
final class LabelText {

    private LabelText() {
    }

    /**
     * {@code name="value",...} for alternating names and values, names already in the order the exposition
     * sorts them (by name). Values are escaped as both text formats want: backslash, double quote, newline.
     */
    static byte[] render(String... namesAndValues) {
        StringBuilder text = new StringBuilder(96);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                text.append(',');
            }
            text.append(namesAndValues[i]).append("=\"");
            escapeInto(text, namesAndValues[i + 1]);
            text.append('"');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void escapeInto(StringBuilder text, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '"' -> text.append("\\\"");
                case '\n' -> text.append("\\n");
                default -> text.append(c);
            }
        }
    }
}
