package io.ingestobs.loki;

/** Loki kept failing for longer than the retry budget: the batch is not delivered and must be tried again. */
public final class LokiUnavailableException extends RuntimeException {

    public LokiUnavailableException(String message) {
        super(message);
    }
}
