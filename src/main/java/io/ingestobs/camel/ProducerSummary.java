package io.ingestobs.camel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The producer's account of one pass over its input: what it read, published and sent to the DLQ, printed in
 * the spec's French lines, and what ends a {@code ROLE=producer} process.
 */
public final class ProducerSummary {

    private static final Logger LOG = LoggerFactory.getLogger("ingestion.producer");

    private final Runnable onFinished;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean finished;
    private volatile String failure;

    /** @param onFinished run once the input has been gone through (ends the process in the producer role) */
    public ProducerSummary(Runnable onFinished) {
        this.onFinished = onFinished;
    }

    public void started(long records, String file) {
        LOG.info("Chargé {} entrées de log depuis {}", records, file);
    }

    public void read() {
        read.incrementAndGet();
    }

    public void published() {
        published.incrementAndGet();
    }

    public void rejected() {
        rejected.incrementAndGet();
    }

    public void failed(Exception cause) {
        failure = cause == null ? "unknown error" : cause.getMessage();
    }

    public void finish() {
        long unaccounted = read.get() - published.get() - rejected.get();
        LOG.info("Producteur terminé: {} succès, {} erreurs", published.get(), rejected.get());
        LOG.info("{} records read, {} published, {} rejected", read.get(), published.get(), rejected.get());
        if (failure != null || unaccounted > 0) {
            LOG.error("{} records neither published nor sent to the DLQ: {}", unaccounted,
                    failure == null ? "see the errors above" : failure);
        }
        finished = true;
        onFinished.run();
    }

    public boolean isFinished() {
        return finished;
    }

    public long publishedCount() {
        return published.get();
    }

    public long rejectedCount() {
        return rejected.get();
    }

    public long readCount() {
        return read.get();
    }

    /** The process exit code of SPEC §6: non-zero when nothing could be published. */
    public int exitCode() {
        return published.get() > 0 && failure == null ? 0 : 1;
    }
}
