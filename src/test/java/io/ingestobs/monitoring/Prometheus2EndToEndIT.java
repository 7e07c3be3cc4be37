package io.ingestobs.monitoring;

import io.ingestobs.testsupport.PrometheusLine;

/** Debian bookworm's Prometheus 2.x, the previous major (SPEC §10). */
class Prometheus2EndToEndIT extends PrometheusEndToEnd {

    @Override
    PrometheusLine line() {
        return PrometheusLine.bookworm();
    }
}
