package io.ingestobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real Prometheus for the tests, scraping consumer metrics ports every second as job {@code ingestion-consumer}
 * (the compose stack's job name), optionally with rule files evaluated every second and Alertmanagers to send
 * alerts to. Started with {@link #on(Path)}, stopped with {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String url;
    private final Path log;

    private PrometheusServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** A Prometheus of this binary, e.g. {@code PrometheusLine.bookworm().prometheusBinary()}. */
    public static Builder on(Path binary) {
        return new Builder(binary);
    }

    public String url() {
        return url;
    }

    /** The value of a query that gives one series. */
    public double value(String promql) throws Exception {
        JsonNode result = query(promql);
        assertEquals(1, result.size(), () -> promql + " gives one series: " + result);
        return result.get(0).path("value").get(1).asDouble();
    }

    /** Any path of the HTTP API, e.g. {@code /api/v1/alerts}: its {@code data}. */
    public JsonNode api(String path) throws Exception {
        JsonNode answer = JSON.readTree(Http.get(url + path).body());
        assertEquals("success", answer.path("status").asText(), () -> path + ": " + answer);
        return answer.path("data");
    }

    public JsonNode query(String promql) throws Exception {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with " + process.exitValue());
        }
        try {
            return Http.get(url + "/-/ready").statusCode() == 200;
        } catch (Exception e) {
            return false;   // not listening yet
        }
    }

    /** Prometheus's own log, for failure messages. */
    public String log() {
        return LogFiles.read(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    public static final class Builder {
        private final Path binary;
        private final List<Integer> metricsPorts = new ArrayList<>();
        private Path ruleDir;
        private final List<String> alertmanagers = new ArrayList<>();

        private Builder(Path binary) {
            this.binary = binary;
        }

        /** The consumer metrics ports on 127.0.0.1 to scrape. */
        public Builder scraping(List<Integer> ports) {
            metricsPorts.addAll(ports);
            return this;
        }

        /** The rule files of this folder ({@code *.yml}), evaluated every second. */
        public Builder rules(Path dir) {
            ruleDir = dir;
            return this;
        }

        /** Alertmanagers (base URLs) the firing alerts are sent to. */
        public Builder alertingTo(List<String> urls) {
            alertmanagers.addAll(urls);
            return this;
        }

        public PrometheusServer start() throws Exception {
            Path workDir = Files.createTempDirectory("prometheus-test");
            Path config = workDir.resolve("prometheus.yml");
            Files.writeString(config, config());
            int port = EmbeddedKafkaBroker.freePort();
            Path log = workDir.resolve("prometheus.log");
            Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
            try {
                Await.until("Prometheus ready", Duration.ofSeconds(60), server::ready);
            } catch (AssertionError | RuntimeException e) {
                server.close();
                throw new AssertionError(e.getMessage() + "\nPrometheus log:\n" + server.log(), e);
            }
            return server;
        }

        private String config() {
            List<String> lines = new ArrayList<>(List.of(
                    "global:",
                    "  scrape_interval: 1s",
                    "  scrape_timeout: 1s",
                    "  evaluation_interval: 1s"));
            if (!alertmanagers.isEmpty()) {
                lines.addAll(List.of(
                        "alerting:",
                        "  alertmanagers:",
                        "    - static_configs:",
                        "        - targets: [" + alertmanagers.stream()
                                .map(u -> "'" + u.replaceFirst("^https?://", "") + "'")
                                .collect(Collectors.joining(", ")) + "]"));
            }
            if (ruleDir != null) {
                lines.addAll(List.of("rule_files:", "  - " + ruleDir.toAbsolutePath() + "/*.yml"));
            }
            lines.addAll(List.of(
                    "scrape_configs:",
                    "  - job_name: ingestion-consumer",
                    "    static_configs:",
                    "      - targets: [" + metricsPorts.stream().map(p -> "'127.0.0.1:" + p + "'")
                            .collect(Collectors.joining(", ")) + "]",
                    ""));
            return String.join("\n", lines);
        }
    }
}
