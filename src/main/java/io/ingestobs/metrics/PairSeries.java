package io.ingestobs.metrics;

import io.ingestobs.domain.IngestionEvent;

import java.time.Instant;

/**
 * The meters of one source/objet/entreprise/zone pair: failures, duration, CPU and memory histograms and the
 * newest run's state. One lock guards them all, so a run costs one uncontended lock, and a scrape reads a
 * histogram's buckets, count and sum from the same moment.
 */
final class PairSeries {

    final String source;
    final String objet;
    final String entreprise;
    final String zone;
    /** {@code entreprise="…",objet="…",source="…",zone="…"}, escaped once. */
    final byte[] labels;

    /**
     * States a pair's runs are counted under, besides SUCCESS and FAILED, which always have their own: a connector
     * writing messages into Etat would otherwise multiply every pair's series (the per-label limit lets 2,000
     * values through). Real connectors have one or two (RUNNING, sometimes SKIPPED or CANCELLED).
     */
    static final int MAX_OTHER_STATES = 3;

    private int otherStates;
    private long failures;
    private final RunHistogram duration = new RunHistogram(RunMetrics.DURATION_BUCKETS);
    private final RunHistogram cpu = new RunHistogram(RunMetrics.CPU_BUCKETS);
    private final RunHistogram memory = new RunHistogram(RunMetrics.MEMORY_BUCKETS);
    private Instant newestEnd = Instant.MIN;
    /** NaN until a run that succeeded or failed is seen (a RUNNING run says nothing of the pair's state). */
    private double lastRunSuccess = Double.NaN;
    /**
     * Whether a run of this pair was counted here. A pair whose state was only restored (runs another replica
     * counted) shows its newest run's state and time, but no failure counter nor histograms: counting families
     * appear with the pair's first counted run, as they do on a fresh consumer.
     */
    private boolean counted;

    PairSeries(String source, String objet, String entreprise, String zone) {
        this.source = source;
        this.objet = objet;
        this.entreprise = entreprise;
        this.zone = zone;
        this.labels = LabelText.render("entreprise", entreprise, "objet", objet, "source", source, "zone", zone);
    }

    synchronized void record(IngestionEvent event) {
        counted = true;
        if (event.failed()) {
            failures++;
        }
        if (event.dureeSecondes() != null) {
            duration.record(event.dureeSecondes());
        }
        if (event.cpuTimeSec() != null) {
            cpu.record(event.cpuTimeSec());
        }
        if (event.memoryUsedBytes() != null) {
            memory.record(event.memoryUsedBytes());
        }
        offerState(event);
    }

    /** Takes {@code event}'s state if it is the newest run, without counting it (a run counted elsewhere). */
    synchronized void restore(IngestionEvent event) {
        offerState(event);
    }

    /** The newest run by event time: a run that arrives late does not overwrite it. */
    private void offerState(IngestionEvent event) {
        Instant end = event.timestamp();
        if ((event.failed() || event.succeeded()) && !end.isBefore(newestEnd)) {
            newestEnd = end;
            lastRunSuccess = event.succeeded() ? 1 : 0;
        }
    }

    synchronized boolean counted() {
        return counted;
    }

    /** Whether this pair has a line in the state families: it counted a run, or knows its newest state. */
    synchronized boolean hasState() {
        return counted || !Double.isNaN(lastRunSuccess);
    }

    /** Epoch seconds of the end of the newest run that succeeded or failed; NaN before one. */
    synchronized double newestRunEpochSeconds() {
        return newestEnd.equals(Instant.MIN) ? Double.NaN : newestEnd.toEpochMilli() / 1000.0;
    }

    /** Whether a run series of {@code etat} may be made for this pair; called once per new one. */
    synchronized boolean admitState(String etat) {
        if ("SUCCESS".equals(etat) || "FAILED".equals(etat)) {
            return true;
        }
        if (otherStates < MAX_OTHER_STATES) {
            otherStates++;
            return true;
        }
        return false;
    }

    synchronized long failures() {
        return failures;
    }

    synchronized double lastRunSuccess() {
        return lastRunSuccess;
    }

    /** Cumulative buckets of {@code family} into {@code cumulative}; returns its sum. */
    synchronized double copyTo(RunFamily family, long[] cumulative) {
        return histogram(family).copyTo(cumulative);
    }

    /** Bucket counts (not cumulative) then the sum, read together. */
    synchronized HistogramReading read(RunFamily family) {
        RunHistogram histogram = histogram(family);
        return new HistogramReading(histogram.bucketCounts(), histogram.sum());
    }

    private RunHistogram histogram(RunFamily family) {
        return switch (family) {
            case DURATION -> duration;
            case CPU -> cpu;
            case MEMORY -> memory;
            default -> throw new IllegalArgumentException(family + " is not a histogram of a pair");
        };
    }

    record HistogramReading(long[] bucketCounts, double sum) {
    }
}
