package io.ingestobs.domain;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8CutTest {

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aTextWithinItsBudgetIsKeptWhole() {
        Utf8Cut cut = Utf8Cut.of("12 objets ingérés", 64);
        assertFalse(cut.truncated());
        assertEquals("12 objets ingérés", cut.text());
        assertEquals(bytes("12 objets ingérés"), cut.originalBytes());
        // exactly at the budget is still whole
        assertFalse(Utf8Cut.of("é".repeat(32), 64).truncated());
    }

    @Test
    void aLongerTextIsCutWithTheMarkerWithinTheBudget() {
        String trace = "Traceback (most recent call last):\n" + "  File \"x.py\", line 1\n".repeat(100_000);
        Utf8Cut cut = Utf8Cut.of(trace, 65_536);
        assertTrue(cut.truncated());
        assertEquals(bytes(trace), cut.originalBytes());
        assertTrue(cut.text().endsWith(Utf8Cut.MARKER), cut.text().substring(cut.text().length() - 40));
        assertTrue(trace.startsWith(cut.text().substring(0, cut.text().length() - Utf8Cut.MARKER.length())));
        assertEquals(65_536, bytes(cut.text()), "ASCII fills the budget to the byte");
    }

    @Test
    void theCutNeverSplitsACharacter() {
        // 2-, 3- and 4-byte characters (é, €, 😀 as a surrogate pair) at every alignment against the budget
        String text = "é€😀a".repeat(1000);
        for (int budget = Utf8Cut.MARKER_BYTES; budget < Utf8Cut.MARKER_BYTES + 40; budget++) {
            Utf8Cut cut = Utf8Cut.of(text, budget);
            String kept = cut.text().substring(0, cut.text().length() - Utf8Cut.MARKER.length());
            assertTrue(text.startsWith(kept));
            assertFalse(!kept.isEmpty() && Character.isHighSurrogate(kept.charAt(kept.length() - 1)), "half a pair");
            assertTrue(bytes(cut.text()) <= budget, "over budget " + budget);
            assertTrue(bytes(cut.text()) > budget - 4, "cut more than one character short at " + budget);
            assertEquals(new String(cut.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), cut.text());
            assertEquals(bytes(text), cut.originalBytes());
        }
    }

    @Test
    void utf8LengthIsTheEncodersLength() {
        for (String text : new String[] {"", "abc", "é", "€", "😀", "a\uD800b", "\uDC00", "Données – été 🚀"}) {
            assertEquals(bytes(text), Utf8Cut.utf8Length(text), text);
        }
    }

    @Test
    void aBudgetSmallerThanTheMarkerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Utf8Cut.of("x", Utf8Cut.MARKER_BYTES - 1));
        assertThrows(IllegalArgumentException.class, () -> new EventRestructurer(Thresholds.DEFAULT, 3));
    }
}
