package io.ingestobs.metrics;

import io.ingestobs.domain.IngestionEvent;

import java.time.Instant;

/**
 * Failure streaks of one source/objet: end of the first failure → end of the next success, in a histogram
 * ({@code ingestion_recovery_seconds}).
 */
final class RecoverySeries {

    final String source;
    final String objet;
    /** {@code objet="…",source="…"}, escaped once. */
    final byte[] labels;
    private final RunHistogram recovery = new RunHistogram(RunMetrics.RECOVERY_BUCKETS);
    private Instant streakStart;
    /** End of the newest success seen: a failure that ended before it belongs to a streak already over. */
    private Instant newestSuccess;

    RecoverySeries(String source, String objet) {
        this.source = source;
        this.objet = objet;
        this.labels = LabelText.render("objet", objet, "source", source);
    }

    synchronized void offer(IngestionEvent event) {
        offer(event, true);
    }

    /**
     * Takes {@code event} into the streak without observing anything: a run counted by another replica, read back
     * when its partition moved here. A failure starts (or extends) the streak, so that the next success counted
     * here measures the recovery; a success read back ends it unmeasured (its owner measured it).
     */
    synchronized void restore(IngestionEvent event) {
        offer(event, false);
    }

    private void offer(IngestionEvent event, boolean observing) {
        Instant end = event.timestamp();
        if (event.failed()) {
            if (newestSuccess != null && end.isBefore(newestSuccess)) {
                return;
            }
            if (streakStart == null || end.isBefore(streakStart)) {
                streakStart = end;
            }
        } else if (event.succeeded()) {
            if (newestSuccess == null || end.isAfter(newestSuccess)) {
                newestSuccess = end;
            }
            if (streakStart != null && !end.isBefore(streakStart)) {
                if (observing) {
                    recovery.record((end.toEpochMilli() - streakStart.toEpochMilli()) / 1000.0);
                }
                streakStart = null;
            }
        }
    }

    /** Cumulative buckets into {@code cumulative}; returns the sum. */
    synchronized double copyTo(long[] cumulative) {
        return recovery.copyTo(cumulative);
    }

    synchronized PairSeries.HistogramReading read() {
        return new PairSeries.HistogramReading(recovery.bucketCounts(), recovery.sum());
    }
}
