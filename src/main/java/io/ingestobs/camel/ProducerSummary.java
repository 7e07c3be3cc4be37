package io.ingestobs.camel;

import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The producer's account over every file it went through, and what ends a {@code ROLE=producer} process once
 * {@code LOGS_FILE_PATH} is published.
 */
public final class ProducerSummary {

    private static final Logger LOG = LoggerFactory.getLogger("ingestion.producer");

    private final Runnable onFinished;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean finished;
    private volatile String failure;

    /** @param onFinished run once LOGS_FILE_PATH has been gone through (ends the process in the producer role) */
    public ProducerSummary(Runnable onFinished) {
        this.onFinished = onFinished;
    }

    void add(FileIngestion pass) {
        read.addAndGet(pass.readCount());
        published.addAndGet(pass.publishedCount());
        rejected.addAndGet(pass.rejectedCount());
        long unaccounted = pass.readCount() - pass.publishedCount() - pass.rejectedCount();
        if (unaccounted > 0) {
            LOG.error("{} records neither published nor sent to the DLQ", unaccounted);
        }
    }

    public void failed(Exception cause) {
        failure = reason(cause);
        LOG.error("The input could not be gone through: {}", failure);
    }

    /**
     * A file of INPUT_DIR could not be published whole: said with its cause, then thrown again, so that the file
     * is not remembered as done and is read again from its start at the next poll.
     */
    public void fileFailed(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.error("{} was not published whole; not remembered as done, it is read again from its start at the next "
                + "poll: {}", exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class), reason(cause));
        throw cause != null ? cause : new IllegalStateException("the file was not published whole");
    }

    /** What says why: the split's "Multicast processing failed for number N" wrapper is not the reason. */
    private static String reason(Throwable cause) {
        Throwable reason = cause;
        while (reason instanceof CamelExchangeException && reason.getCause() != null) {
            reason = reason.getCause();
        }
        return reason == null ? "unknown error" : reason.getMessage();
    }

    /** LOGS_FILE_PATH is done: in the producer role, the process may end. */
    public void finish() {
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

    /** The process exit code of SPEC §6: non-zero when nothing could be published, or the input broke off. */
    public int exitCode() {
        return published.get() > 0 && failure == null ? 0 : 1;
    }
}
