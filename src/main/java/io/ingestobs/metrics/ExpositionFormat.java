package io.ingestobs.metrics;

/** The two text formats {@code GET /metrics} answers in, chosen from the request's Accept header. */
public enum ExpositionFormat {

    PROMETHEUS_TEXT("text/plain; version=0.0.4; charset=utf-8"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * OpenMetrics when the client accepts it (Prometheus asks for it first), else the Prometheus text format: the
     * choice Camel's own /metrics handler made.
     */
    public static ExpositionFormat forAccept(String accept) {
        return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
    }
}
