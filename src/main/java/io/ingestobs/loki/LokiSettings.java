package io.ingestobs.loki;

import java.time.Duration;

/**
 * Where and how to push (SPEC §5, §6). Credentials are kept out of {@link #toString()} so they never reach a log.
 */
public record LokiSettings(String url, String tenantId, String username, String password, String bearerToken,
                           int batchMaxEntries, int batchMaxBytes, int maxLineBytes, Duration requestTimeout,
                           Duration initialBackoff, Duration maxBackoff, Duration maxRetryTime) {

    @Override
    public String toString() {
        return "LokiSettings[url=" + url + ", tenant=" + (tenantId == null ? "none" : tenantId)
                + ", auth=" + (bearerToken != null ? "bearer" : username != null ? "basic" : "none")
                + ", batchMaxEntries=" + batchMaxEntries + ", batchMaxBytes=" + batchMaxBytes + "]";
    }
}
