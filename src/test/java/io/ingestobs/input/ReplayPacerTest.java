package io.ingestobs.input;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayPacerTest {

    private static final Instant T0 = Instant.parse("2025-09-15T09:00:00Z");

    @Test
    void waitsForEachRunsOwnSpacingDividedByTheSpeed() throws InterruptedException {
        AtomicLong now = new AtomicLong(1_000);
        List<Long> waits = new ArrayList<>();
        ReplayPacer pacer = new ReplayPacer(60, now::get, nanos -> {
            waits.add(nanos);
            now.addAndGet(nanos);
        });
        pacer.pace(T0);
        pacer.pace(T0.plusSeconds(60));      // one minute later: one second at 60x
        now.addAndGet(250_000_000);           // publishing took a quarter second
        pacer.pace(T0.plusSeconds(180));     // due 3 s after the start: 1.75 s left
        pacer.pace(T0.plusSeconds(30));      // an earlier run goes at once
        assertEquals(List.of(1_000_000_000L, 1_750_000_000L), waits);
    }

    @Test
    void replaysInRealTimeWithinTolerance() throws InterruptedException {
        ReplayPacer pacer = ReplayPacer.realTime(100);
        long start = System.nanoTime();
        for (int i = 0; i <= 5; i++) {
            pacer.pace(T0.plusSeconds(10L * i)); // 10 s apart at 100x: 100 ms apart
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 495 && elapsedMillis < 800, "5 gaps of 100 ms took " + elapsedMillis + " ms");
    }

    @Test
    void refusesASpeedThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> ReplayPacer.realTime(0));
    }
}
