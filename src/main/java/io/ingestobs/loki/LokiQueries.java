package io.ingestobs.loki;

/** Loki's query API as the sink needs it: {@code GET /loki/api/v1/query_range?<query string>}. */
@FunctionalInterface
public interface LokiQueries {

    /** Loki's answer; status 0 when none came (Loki stalled, down or unreachable). Never throws. */
    LokiResponse queryRange(String queryString);
}
