package io.ingestobs.loki;

import java.time.Duration;
import java.util.Optional;

/**
 * What Loki answered to one push. {@code status} is 0 when no answer came (connection refused, timeout).
 */
public record LokiResponse(int status, String body, Optional<Duration> retryAfter) {

    public static LokiResponse noAnswer(String error) {
        return new LokiResponse(0, error, Optional.empty());
    }

    public boolean accepted() {
        return status >= 200 && status < 300;
    }

    /** Worth sending again as it is: Loki is busy, failing or unreachable, or this client is misconfigured. */
    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500 || status == 401 || status == 403 || status == 404
                || status == 408;
    }

    /** Loki refused the content itself: some entry is too old, too long, badly labelled... */
    public boolean refusedContent() {
        return !accepted() && !retryable();
    }

    /** The label of {@code ingestion_loki_push_requests_total}. */
    public String statusLabel() {
        if (status == 0) {
            return "error";
        }
        if (status >= 200 && status < 300) {
            return "2xx";
        }
        if (status >= 500) {
            return "5xx";
        }
        return Integer.toString(status);
    }
}
