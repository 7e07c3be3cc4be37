package io.ingestobs.input;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Replays runs with their own spacing, sped up by a factor ({@code SIMULATE_REALTIME}, {@code SIMULATE_SPEED}):
 * the run that ended 10 minutes after the first is released 10 minutes (divided by the speed) after it. Runs
 * earlier than the first one go at once.
 */
public final class ReplayPacer {

    /** How the pacer waits; tests replace it to check the waits without spending them. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double speed;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private Instant first;
    private long startNanos;

    public ReplayPacer(double speed, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("SIMULATE_SPEED must be a positive number, got " + speed);
        }
        this.speed = speed;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    public static ReplayPacer realTime(double speed) {
        return new ReplayPacer(speed, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    /** Waits until the run that ended at {@code eventTime} is due. */
    public void pace(Instant eventTime) throws InterruptedException {
        if (first == null) {
            first = eventTime;
            startNanos = nanoTime.getAsLong();
            return;
        }
        long offsetNanos = (long) ((eventTime.toEpochMilli() - first.toEpochMilli()) * 1_000_000.0 / speed);
        long wait = startNanos + offsetNanos - nanoTime.getAsLong();
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }
}
