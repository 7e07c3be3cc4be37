package io.ingestobs.testsupport;

import io.ingestobs.testsupport.PrometheusText.Sample;

import java.util.List;

/** Reads a pipeline's /metrics as Prometheus would scrape it. */
public final class Scrape {

    private Scrape() {
    }

    /** The samples named {@code name}; none when the endpoint does not answer (yet). */
    public static List<Sample> named(String url, String name) {
        try {
            return PrometheusText.named(PrometheusText.parse(Http.get(url).body()), name);
        } catch (Exception e) {
            return List.of();
        }
    }

    /** The sum of every sample named {@code name}; -1 when the endpoint does not answer (yet). */
    public static double total(String url, String name) {
        try {
            return PrometheusText.named(PrometheusText.parse(Http.get(url).body()), name).stream()
                    .mapToDouble(Sample::value).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
