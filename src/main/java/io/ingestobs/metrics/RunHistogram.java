package io.ingestobs.metrics;

/**
 * One series of a histogram with fixed edges: a count per bucket, and the sum. It counts as the Micrometer
 * {@code DistributionSummary} it replaces did, so that every {@code le} keeps its meaning for the rules and the
 * dashboard. Not thread-safe: the series that owns it guards it with its own lock.
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
     * Micrometer's fixed-boundary histogram files a summary's amount rounded up to a whole number
     * ({@code (long) Math.ceil(amount)}), so 0.2 lands in le="1.0", not le="0.25". Kept as it was: changing what
     * the sub-unit buckets count is a decision for the dashboard's owners, not a side effect of a faster scrape.
     */
    private int bucketOf(double value) {
        double key = Math.ceil(value);
        int low = 0;
        int high = edges.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (edges[mid] < key) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return low;
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
