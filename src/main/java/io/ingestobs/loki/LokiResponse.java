package io.ingestobs.loki;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What Loki answered to one push, and the retry decision, a function of that answer alone (as Vector's Loki sink
 * decides: 429 and 5xx are retried, other 4xx are the content's fault). {@code status} is 0 when no answer came
 * (connection refused, timeout). {@code mayHaveBeenStored}: the request went out whole but its answer never came
 * (a timeout, a connection lost while waiting): Loki may have stored it all the same, so sending it again may store
 * it twice.
 */
public record LokiResponse(int status, String body, Optional<Duration> retryAfter, boolean mayHaveBeenStored) {

    public LokiResponse(int status, String body, Optional<Duration> retryAfter) {
        this(status, body, retryAfter, false);
    }

    /** An HTTP answer, with its {@code Retry-After} header as Loki sent it (or null). */
    public static LokiResponse of(int status, String body, String retryAfterHeader) {
        return new LokiResponse(status, body == null ? "" : body,
                retryAfterHeader == null ? Optional.empty() : parseRetryAfter(retryAfterHeader, Instant.now()));
    }

    /** No answer, and Loki cannot have the request (refused or unreachable connection). */
    public static LokiResponse noAnswer(String error) {
        return new LokiResponse(0, error, Optional.empty(), false);
    }

    /** No answer after the request went out: Loki may have stored it. */
    public static LokiResponse unanswered(String error) {
        return new LokiResponse(0, error, Optional.empty(), true);
    }

    /** Every entry of the request was found in Loki already (after an unanswered attempt): nothing to send. */
    public static LokiResponse alreadyStored(int entries) {
        return new LokiResponse(204, entries + " entries already stored", Optional.empty(), false);
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

    /** {@code Retry-After} as seconds or as an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String text = value.trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(text))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
