package io.ingestobs.http;

import java.time.Duration;

/**
 * SPEC §4, final scrape: a stopping consumer keeps {@code /metrics} up after its last count until Prometheus has
 * read it once more, so that the increments of its last batches are not lost with the process. Bounded by
 * {@code METRICS_FINAL_SCRAPE_WAIT_MS}; no wait at all when nothing ever scraped this process (Ctrl-C on the demo).
 */
final class FinalScrape {

    private final Duration maxWait;
    private long served;
    /** Scrapes that began after {@link #awaitOneMore()} was called and have been answered. */
    private long servedSinceStop;
    private long stopMark = Long.MAX_VALUE;

    FinalScrape(Duration maxWait) {
        this.maxWait = maxWait;
    }

    /** A scrape that began at {@code startNanos} (System.nanoTime) has been answered in full. */
    synchronized void served(long startNanos) {
        served++;
        if (startNanos >= stopMark) {
            servedSinceStop++;
            notifyAll();
        }
    }

    /**
     * Called once counting is over: waits until a scrape that began after this call has been answered, or the
     * maximum wait. Returns whether such a scrape came.
     */
    synchronized boolean awaitOneMore() throws InterruptedException {
        if (served == 0 || maxWait.isZero() || maxWait.isNegative()) {
            return false;
        }
        stopMark = System.nanoTime();
        long deadline = stopMark + maxWait.toNanos();
        while (servedSinceStop == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
