package io.ingestobs.metrics;

/**
 * One series of a histogram with fixed edges: a count per bucket, and the sum. A value counts in every bucket whose
 * edge it does not exceed, as {@code le} says. Not thread-safe: the series that owns it guards it with its own lock.
 */
final class RunHistogram {

    private final double[] edges;
    /** Per bucket, not cumulative; the last one is above every edge (+Inf). */
    private final long[] counts;
    private double sum;

    RunHistogram(double[] edges) {
        this.edges = edges;
        this.counts = new long[edges.length + 1];
    }

    void record(double value) {
        // Micrometer's DistributionSummary ignores negative amounts and NaN: neither counted nor summed.
        if (!(value >= 0)) {
            return;
        }
        sum += value;
        counts[bucketOf(value)]++;
    }

    /**
     * The first bucket whose edge is at least {@code value}. Micrometer's {@code DistributionSummary}, which these
     * series replace, filed the amount rounded up to a whole number ({@code (long) Math.ceil(amount)}): a run of
     * 0.2 CPU seconds counted in le="1.0", so the 0.1, 0.25, 0.5 and 2.5 edges were wrong (whole edges were not).
     */
    private int bucketOf(double value) {
        // A scan from the first edge rather than a binary search: connector runs fall in the first few buckets
        // (seconds, a few MiB), where the scan stops after a few comparisons the CPU predicts; the search took
        // four unpredictable branches for every value, three times per run (docs/benchmark.md, issue 14).
        int bucket = 0;
        while (bucket < edges.length && edges[bucket] < value) {
            bucket++;
        }
        return bucket;
    }

    /** Copies the cumulative count of each bucket (+Inf last) into {@code cumulative}; returns the sum. */
    double copyTo(long[] cumulative) {
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            cumulative[i] = total;
        }
        return sum;
    }

    /** The count of each bucket alone, +Inf last, as the Prometheus client's model wants them. */
    long[] bucketCounts() {
        return counts.clone();
    }

    double sum() {
        return sum;
    }
}
