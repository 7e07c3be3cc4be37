package io.ingestobs.http;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /metrics of the running pipeline: one exposition with the run families and the meters that stay
 * Micrometer's (JVM, Camel routes, the pipeline's health), each family once, in the format the client asks for.
 */
class MetricsEndpointTest {

    /** What Prometheus 2.x sends. */
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    // HTTP/1.1 as Prometheus scrapes over plain http: Java's default (HTTP/2 by h2c upgrade) once read the
    // answer as an HTTP/2 frame ("Frame type(99) length(7304562) exceeds MAX_FRAME_SIZE") on a CI run
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void oneExpositionWithTheRunFamiliesAndMicrometersInTheAskedFormat() throws Exception {
        broker.createTopics(3, "endpoint", "endpoint.dlq");
        int port = EmbeddedKafkaBroker.freePort();
        try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), Map.of(
                "kafka.topic", "endpoint", "kafka.dlqTopic", "endpoint.dlq", "kafka.groupId", "endpoint-group",
                "camel.management.port", Integer.toString(port), "input.file", "logs.json"), Duration.ofMinutes(1))) {
            String url = "http://127.0.0.1:" + port + "/metrics";
            Await.until("72 runs counted", () -> Scrape.total(url, "ingestion_runs_total") == 72);

            HttpResponse<String> text = get(url, null);
            assertEquals(200, text.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("content-type")
                    .orElseThrow());
            List<String> textTypes = typeLines(text.body());
            assertTrue(textTypes.contains("# TYPE ingestion_runs_total counter"), textTypes.toString());
            assertTrue(textTypes.contains("# TYPE ingestion_duration_seconds histogram"));
            assertTrue(textTypes.contains("# TYPE ingestion_records_read_total counter"));
            assertTrue(textTypes.stream().anyMatch(t -> t.startsWith("# TYPE jvm_memory_used_bytes ")));
            assertTrue(textTypes.stream().anyMatch(t -> t.startsWith("# TYPE camel_exchanges_")));
            assertFalse(textTypes.stream().anyMatch(t -> t.matches("# TYPE ingestion_\\w+_max gauge")),
                    "Micrometer's _max gauges of the run histograms are gone");
            assertEquals(72.0, PrometheusText.named(PrometheusText.parse(text.body()), "ingestion_runs_total")
                    .stream().mapToDouble(PrometheusText.Sample::value).sum());
            assertFalse(text.body().contains("# EOF"));

            HttpResponse<String> openMetrics = get(url, PROMETHEUS_ACCEPT);
            assertEquals(200, openMetrics.statusCode());
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                    openMetrics.headers().firstValue("content-type").orElseThrow());
            String body = openMetrics.body();
            assertTrue(body.endsWith("\n# EOF\n"), "OpenMetrics ends with # EOF");
            assertEquals(body.indexOf("# EOF"), body.lastIndexOf("# EOF"), "one # EOF");
            List<String> omTypes = typeLines(body);
            assertTrue(omTypes.contains("# TYPE ingestion_runs counter"), omTypes.toString());
            assertTrue(omTypes.contains("# TYPE ingestion_records_read counter"));
            // Meters may appear between two scrapes (a route's first exchange, the lag timer): the OpenMetrics scrape
            // has every family of the text scrape before it, and none that the text scrape after it lacks.
            int after = typeLines(get(url, null).body()).size();
            assertTrue(textTypes.size() <= omTypes.size() && omTypes.size() <= after,
                    "the same families in both formats: " + textTypes.size() + " <= " + omTypes.size() + " <= "
                            + after);
        }
    }

    private static HttpResponse<String> get(String url, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The TYPE lines, each family once. */
    private static List<String> typeLines(String exposition) {
        List<String> types = new ArrayList<>();
        Set<String> families = new HashSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                types.add(line);
                assertTrue(families.add(line.split(" ")[2]), "family listed twice: " + line);
            }
        }
        return types;
    }
}
