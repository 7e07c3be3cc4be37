package io.ingestobs.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.PrometheusLine;
import io.ingestobs.testsupport.PrometheusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SPEC §9 on a real Prometheus, once per supported line (SPEC §10: 3.5 LTS and 2.x, Debian's packages): a consumer,
 * the demo's producer run, the project's rule files, and every PromQL query of every dashboard panel. Prometheus
 * scrapes and evaluates every second. One subclass per line, so that each is run and reported on its own
 * ({@link Prometheus2EndToEndIT}, {@link Prometheus3EndToEndIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PrometheusEndToEnd {

    /** The Prometheus release line this run is on. */
    abstract PrometheusLine line();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker broker;
    private static PipelineApp consumer;
    private static PrometheusServer prometheus;

    @BeforeAll
    void startStack() throws Exception {
        PrometheusLine line = line();
        System.out.println(getClass().getSimpleName() + " on prometheus " + line.checkedVersion(line.prometheusBinary())
                + " (" + line + ")");
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
        broker.createTopics(3, "ingestion-logs", "ingestion-logs.dlq");
        int metricsPort = EmbeddedKafkaBroker.freePort();
        consumer = PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), Map.of(
                "camel.management.port", Integer.toString(metricsPort), "loki.batch.maxWaitMs", "300",
                "consumer.lagRefreshMs", "1000"), Duration.ofMinutes(1));

        prometheus = PrometheusServer.on(line.prometheusBinary()).scraping(List.of(metricsPort))
                .rules(Path.of("prometheus-rules")).start();
        await("the consumer scraped", () -> value("up{job=\"ingestion-consumer\"}") == 1.0);
    }

    @AfterAll
    void stopStack() throws Exception {
        if (prometheus != null) {
            prometheus.close();
            prometheus = null;
        }
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    private static void produceTheSample() throws Exception {
        try (PipelineApp producer = PipelineApp.start(Role.PRODUCER, broker.bootstrapServers(),
                Map.of("input.rebaseTimestamps", "true"), Duration.ofMinutes(1))) {
            assertTrue(producer.awaitStopped(Duration.ofMinutes(1)), "the producer did not finish");
            assertEquals(72, producer.summary().publishedCount());
            assertEquals(0, producer.summary().exitCode());
        }
    }

    @Test
    @Order(1)
    void oneDemoIngestionGivesTheSpecFiguresAndOnlyTheFailureAlert() throws Exception {
        produceTheSample();
        await("count(ingestion_runs_total) = 72", () -> value("count(ingestion_runs_total)") == 72.0);
        await("sum(ingestion_runs_total) = 72", () -> value("sum(ingestion_runs_total)") == 72.0);
        assertEquals(Map.of("SUCCESS", 71.0, "FAILED", 1.0), byLabel("sum by (etat) (ingestion_runs_total)", "etat"));
        assertEquals(72.0, value("count(ingestion_duration_seconds_sum)"));

        JsonNode groups = api("/api/v1/rules").path("data").path("groups");
        Set<String> alerting = new TreeSet<>();
        groups.forEach(g -> g.path("rules").forEach(r -> {
            if (r.path("type").asText().equals("alerting")) {
                alerting.add(r.path("name").asText());
            }
        }));
        assertEquals(new TreeSet<>(List.of("IngestionEchecDetecte", "IngestionTauxEchecEleve",
                "IngestionSourceMuette", "IngestionLatenceDegradee", "IngestionSurconsommationMemoire",
                "IngestionSurconsommationCPU", "IngestionBurstErreurs", "IngestionConsumerDown",
                "IngestionKafkaLag")), alerting);
        groups.forEach(g -> g.path("rules").forEach(r -> assertEquals("ok", r.path("health").asText(),
                () -> r.path("name").asText() + ": " + r.path("lastError").asText())));

        await("IngestionEchecDetecte firing", () -> firingAlerts().contains("IngestionEchecDetecte"));
        // let every rule evaluate a few more times on the full data before looking for stray alerts
        Thread.sleep(5000);
        JsonNode alerts = api("/api/v1/alerts").path("data").path("alerts");
        List<String> active = new ArrayList<>();
        alerts.forEach(a -> active.add(a.path("labels").path("alertname").asText() + ":" + a.path("state").asText()));
        assertEquals(List.of("IngestionEchecDetecte:firing"), active, () -> "alerts: " + alerts);
        JsonNode failure = alerts.get(0);
        assertEquals("sharepoint_graph", failure.path("labels").path("source").asText());
        assertEquals("critical", failure.path("labels").path("severity").asText());
        System.out.println("Alerts as Prometheus lists them: " + alerts);
    }

    @Test
    @Order(2)
    void everyDashboardQueryRunsAndTheStatPanelsShowTheSpecFigures() throws Exception {
        Process node = new ProcessBuilder("node", "queries.mjs").directory(new File("tools/dashboard"))
                .redirectErrorStream(false).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.waitFor(), "node queries.mjs failed");
        JsonNode queries = JSON.readTree(output);
        assertTrue(queries.size() >= 15, "dashboard queries: " + queries.size());
        Map<String, JsonNode> byPanel = new HashMap<>();
        List<String> errors = new ArrayList<>();
        for (JsonNode query : queries) {
            String expr = query.path("expr").asText();
            JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
            if (!"success".equals(answer.path("status").asText())) {
                errors.add(query.path("panel").asText() + "/" + query.path("refId").asText() + ": "
                        + answer.path("error").asText() + " in " + expr);
            }
            byPanel.putIfAbsent(query.path("panel").asText(), answer);
        }
        assertEquals(List.of(), errors);
        assertEquals(71.0, scalar(byPanel.get("Succès")));
        assertEquals(1.0, scalar(byPanel.get("Échecs")));
        assertEquals(100.0 / 72, scalar(byPanel.get("Taux d'échec (%)")), 0.01);
    }

    @Test
    @Order(3)
    void threeProducerRunsIntoOneConsumerCountTwoHundredSixteenRuns() throws Exception {
        produceTheSample();
        produceTheSample();
        await("sum(ingestion_runs_total) = 216", () -> value("sum(ingestion_runs_total)") == 216.0);
        assertEquals(72.0, value("count(ingestion_runs_total)"));
        assertEquals(71.0, value("count(ingestion_last_run_success == 1)"));
        assertEquals(1.0, value("count(ingestion_last_run_success == 0)"));
    }

    private static double scalar(JsonNode answer) {
        JsonNode result = answer.path("data").path("result");
        assertEquals(1, result.size(), () -> "expected one series: " + answer);
        return result.get(0).path("value").get(1).asDouble();
    }

    private static JsonNode api(String path) throws Exception {
        return JSON.readTree(Http.get(prometheus.url() + path).body());
    }

    private static double value(String promql) {
        try {
            JsonNode result = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                    .path("data").path("result");
            return result.size() == 1 ? result.get(0).path("value").get(1).asDouble() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static Map<String, Double> byLabel(String promql, String label) throws Exception {
        Map<String, Double> values = new TreeMap<>();
        api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result")
                .forEach(r -> values.put(r.path("metric").path(label).asText(), r.path("value").get(1).asDouble()));
        return values;
    }

    private static Set<String> firingAlerts() {
        Set<String> names = new TreeSet<>();
        try {
            api("/api/v1/alerts").path("data").path("alerts").forEach(a -> {
                if (a.path("state").asText().equals("firing")) {
                    names.add(a.path("labels").path("alertname").asText());
                }
            });
        } catch (Exception e) {
            // not ready yet
        }
        return names;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("timed out waiting for " + what + (prometheus == null ? ""
                : "\nprometheus log tail:\n" + tail(prometheus.log())));
    }

    private static String tail(String text) {
        return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
    }
}
