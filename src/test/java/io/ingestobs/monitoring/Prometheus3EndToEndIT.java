package io.ingestobs.monitoring;

import io.ingestobs.testsupport.PrometheusLine;

/** Prometheus 3.5 LTS: Debian sid's package, unpacked by {@code scripts/fetch-sid-monitoring.sh} (SPEC §10). */
class Prometheus3EndToEndIT extends PrometheusEndToEnd {

    @Override
    PrometheusLine line() {
        return PrometheusLine.sidLts();
    }
}
