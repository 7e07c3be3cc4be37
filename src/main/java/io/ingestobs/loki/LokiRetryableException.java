package io.ingestobs.loki;

/**
 * One attempt of a push got an answer worth trying again (429, 5xx, no answer): the route's error handler sends the
 * request again after a backoff, or after the delay Loki asked for, within LOKI_RETRY_MAX_MS.
 */
public final class LokiRetryableException extends RuntimeException {

    private final transient LokiResponse response;

    public LokiRetryableException(LokiResponse response) {
        super("Loki answered " + response.statusLabel() + ": " + response.body(), null, false, false);
        this.response = response;
    }

    public LokiResponse response() {
        return response;
    }
}
