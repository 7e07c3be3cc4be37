package io.ingestobs.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.PrometheusLine;
import io.ingestobs.testsupport.PrometheusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts reach a person (SPEC §7): the stack's Alertmanager configuration as {@code render-config.sh} writes it from
 * the environment (a webhook and a Slack receiver, both pointed at an HTTP server of this test), on real
 * Alertmanagers — Debian bookworm's 0.25 and sid's 0.33, side by side behind one Prometheus 3.5 LTS that evaluates
 * the project's rules on the consumer's metrics. The sample's failure gives each exactly one
 * IngestionEchecDetecte notification, in French with its runbook link and Loki query; IngestionConsumerDown
 * inhibits IngestionSourceMuette.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertmanagerNotificationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** path (/{alertmanager}/{receiver}) → bodies received, in order */
    private static final Map<String, List<JsonNode>> RECEIVED = new LinkedHashMap<>();
    private static HttpServer receiver;
    private static EmbeddedKafkaBroker broker;
    private static PipelineApp consumer;
    private static final List<Process> processes = new ArrayList<>();
    /** Alertmanager name (version) → its URL */
    private static final Map<String, String> alertmanagers = new LinkedHashMap<>();
    private static PrometheusServer prometheus;
    private static Path workDir;

    @BeforeAll
    static void startStack() throws Exception {
        workDir = Files.createTempDirectory("alertmanager-it");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (RECEIVED) {
                RECEIVED.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new CopyOnWriteArrayList<>())
                        .add(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort();

        Map<String, Path> binaries = new LinkedHashMap<>();
        binaries.put("am025", PrometheusLine.bookwormAlertmanager());
        binaries.put("am033", PrometheusLine.sidAlertmanager());
        for (Map.Entry<String, Path> am : binaries.entrySet()) {
            String name = am.getKey();
            System.out.println(name + ": alertmanager " + PrometheusLine.versionOf(am.getValue()));
            Path config = workDir.resolve(name + ".yml");
            ProcessBuilder render = new ProcessBuilder("sh", "compose/alertmanager/render-config.sh",
                    config.toString()).redirectErrorStream(true);
            render.environment().put("ALERTMANAGER_TEMPLATES",
                    Path.of("compose/alertmanager/templates").toAbsolutePath().toString());
            render.environment().put("ALERT_WEBHOOK_URL", hooks + "/" + name + "/webhook");
            render.environment().put("ALERT_SLACK_WEBHOOK_URL", hooks + "/" + name + "/slack");
            Process rendering = render.start();
            String out = new String(rendering.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, rendering.waitFor(), out);
            int port = EmbeddedKafkaBroker.freePort();
            processes.add(new ProcessBuilder(am.getValue().toString(), "--config.file=" + config,
                    "--storage.path=" + workDir.resolve(name + "-data"), "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=").redirectErrorStream(true)
                    .redirectOutput(workDir.resolve(name + ".log").toFile()).start());
            alertmanagers.put(name, "http://127.0.0.1:" + port);
        }

        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
        broker.createTopics(3, "ingestion-logs", "ingestion-logs.dlq");
        int metricsPort = EmbeddedKafkaBroker.freePort();
        consumer = PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), Map.of(
                "camel.management.port", Integer.toString(metricsPort), "loki.batch.maxWaitMs", "300"),
                Duration.ofMinutes(1));
        prometheus = PrometheusServer.on(PrometheusLine.sidLts().prometheusBinary()).scraping(List.of(metricsPort))
                .rules(Path.of("prometheus-rules")).alertingTo(List.copyOf(alertmanagers.values())).start();
        for (String url : alertmanagers.values()) {
            Await.until(url + " ready", () -> status(url + "/-/ready") == 200);
        }
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        for (Process process : processes) {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
        if (consumer != null) {
            consumer.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    @Order(1)
    void theSampleFailureReachesThePersonOnceInFrenchWithItsRunbook() throws Exception {
        try (PipelineApp producer = PipelineApp.start(Role.PRODUCER, broker.bootstrapServers(),
                Map.of("input.rebaseTimestamps", "true"), Duration.ofMinutes(1))) {
            assertTrue(producer.awaitStopped(Duration.ofMinutes(1)), "the producer did not finish");
            assertEquals(72, producer.summary().publishedCount());
        }
        for (String am : alertmanagers.keySet()) {
            Await.until(am + ": a webhook notification and a Slack message", Duration.ofSeconds(120),
                    () -> received("/" + am + "/webhook").size() >= 1 && received("/" + am + "/slack").size() >= 1);
        }
        // grouping: the critical route waits 10 s, then repeats after 1 h; a second message would come now
        Thread.sleep(15_000);
        for (String am : alertmanagers.keySet()) {
            List<JsonNode> webhook = received("/" + am + "/webhook");
            assertEquals(1, webhook.size(), () -> am + " webhook notifications: " + webhook);
            JsonNode notification = webhook.get(0);
            assertEquals("firing", notification.path("status").asText());
            assertEquals(1, notification.path("alerts").size(), notification::toString);
            JsonNode alert = notification.path("alerts").get(0);
            assertEquals("IngestionEchecDetecte", alert.at("/labels/alertname").asText());
            assertEquals("sharepoint_graph", alert.at("/labels/source").asText());
            assertEquals("EventFactureApplication", alert.at("/labels/objet").asText());
            assertEquals("Échec d'ingestion : sharepoint_graph / EventFactureApplication",
                    alert.at("/annotations/summary").asText());
            assertTrue(alert.at("/annotations/runbook_url").asText().endsWith("runbooks.md#ingestionechecdetecte"),
                    alert.toString());

            List<JsonNode> slack = received("/" + am + "/slack");
            assertEquals(1, slack.size(), () -> am + " Slack messages: " + slack);
            JsonNode attachment = slack.get(0).path("attachments").get(0);
            String title = attachment.path("title").asText();
            String text = attachment.path("text").asText();
            System.out.println(am + " Slack message:\n" + title + "\n" + text);
            assertEquals("[ALERTE] IngestionEchecDetecte : sharepoint_graph / EventFactureApplication", title);
            assertTrue(text.contains(alert.at("/annotations/description").asText()), text);
            assertTrue(text.contains("Sévérité : critical"), text);
            assertTrue(text.contains("Procédure : " + alert.at("/annotations/runbook_url").asText()), text);
            assertTrue(text.contains("{job=\"ingestion-logs\", source=\"sharepoint_graph\", etat=\"FAILED\"} | json "
                    + "objet_name=\"objet.name\" | objet_name=\"EventFactureApplication\""), text);
        }
    }

    @Test
    @Order(2)
    void consumerDownInhibitsSourceMuette() throws Exception {
        String muette = "[{\"labels\":{\"alertname\":\"IngestionSourceMuette\",\"severity\":\"warning\","
                + "\"source\":\"Efficy\",\"entreprise\":\"akonovia\",\"zone\":\"1-Raw\"},"
                + "\"annotations\":{\"summary\":\"Source muette : Efficy\"},\"startsAt\":\"" + Instant.now() + "\"}]";
        String down = "[{\"labels\":{\"alertname\":\"IngestionConsumerDown\",\"severity\":\"critical\","
                + "\"job\":\"ingestion-consumer\",\"instance\":\"consumer:8000\"},"
                + "\"annotations\":{\"summary\":\"Consumer injoignable\"},\"startsAt\":\"" + Instant.now() + "\"}]";
        for (Map.Entry<String, String> am : alertmanagers.entrySet()) {
            post(am.getValue() + "/api/v2/alerts", muette);
            Await.until(am.getKey() + ": IngestionSourceMuette active on its own",
                    () -> "active".equals(state(am.getValue(), "IngestionSourceMuette")));
            post(am.getValue() + "/api/v2/alerts", down);
            Await.until(am.getKey() + ": IngestionSourceMuette suppressed once the consumer is down",
                    () -> "suppressed".equals(state(am.getValue(), "IngestionSourceMuette")));
            assertEquals("active", state(am.getValue(), "IngestionConsumerDown"));
        }
    }

    private static String state(String alertmanager, String alertname) {
        try {
            for (JsonNode alert : JSON.readTree(Http.get(alertmanager + "/api/v2/alerts").body())) {
                if (alert.at("/labels/alertname").asText().equals(alertname)) {
                    return alert.at("/status/state").asText();
                }
            }
        } catch (Exception e) {
            return "unreadable: " + e;
        }
        return "absent";
    }

    private static void post(String url, String body) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    private static List<JsonNode> received(String path) {
        synchronized (RECEIVED) {
            return List.copyOf(RECEIVED.getOrDefault(path, List.of()));
        }
    }

    private static int status(String url) {
        try {
            return Http.get(url).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
