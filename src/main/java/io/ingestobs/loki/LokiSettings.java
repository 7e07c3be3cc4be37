package io.ingestobs.loki;

import java.time.Duration;

/**
 * Where and how to push (SPEC §5, §6). Credentials are kept out of {@link #toString()} so they never reach a log.
 */
public record LokiSettings(String url, String tenantId, String username, String password, String bearerToken,
                           int batchMaxEntries, int batchMaxBytes, int maxLineBytes, Duration requestTimeout,
                           Duration initialBackoff, Duration maxBackoff, Duration maxRetryTime) {

    private static final String PUSH_PATH = "/loki/api/v1/push";

    /**
     * LOKI_URL as the base the push and query paths are appended to (SPEC §5, §6). A URL given with a trailing
     * slash, or as the push endpoint itself, as Promtail's and Alloy's settings ask for it, would otherwise become
     * {@code //loki/api/v1/push} or the push path twice, which Loki answers with a redirect or a 404.
     */
    public static String baseUrl(String given) {
        String url = stripTrailingSlashes(given.strip());
        if (url.endsWith(PUSH_PATH)) {
            url = stripTrailingSlashes(url.substring(0, url.length() - PUSH_PATH.length()));
        }
        return url;
    }

    private static String stripTrailingSlashes(String url) {
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }

    @Override
    public String toString() {
        return "LokiSettings[url=" + url + ", tenant=" + (tenantId == null ? "none" : tenantId)
                + ", auth=" + (bearerToken != null ? "bearer" : username != null ? "basic" : "none")
                + ", batchMaxEntries=" + batchMaxEntries + ", batchMaxBytes=" + batchMaxBytes + "]";
    }
}
