package io.ingestobs.replicas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.Http;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Debian's Prometheus scraping the given consumer ports every second, as job {@code ingestion-consumer}. */
final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String url;
    private final Path workDir;

    private PrometheusServer(Process process, String url, Path workDir) {
        this.process = process;
        this.url = url;
        this.workDir = workDir;
    }

    static PrometheusServer start(List<Integer> metricsPorts) throws Exception {
        return start(metricsPorts, null);
    }

    /** With the rule files of {@code ruleDir} ({@code *.yml}) evaluated every second, when not null. */
    static PrometheusServer start(List<Integer> metricsPorts, Path ruleDir) throws Exception {
        Path workDir = Files.createTempDirectory("prometheus-replicas");
        String targets = metricsPorts.stream().map(p -> "'127.0.0.1:" + p + "'").collect(Collectors.joining(", "));
        Path config = workDir.resolve("prometheus.yml");
        String rules = ruleDir == null ? "" : String.join("\n",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + ruleDir.toAbsolutePath() + "/*.yml",
                "");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                rules + "scrape_configs:",
                "  - job_name: ingestion-consumer",
                "    static_configs:",
                "      - targets: [" + targets + "]",
                ""));
        int port = EmbeddedKafkaBroker.freePort();
        Process process = new ProcessBuilder(binary(), "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, workDir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (Http.get(server.url + "/-/ready").statusCode() == 200) {
                    return server;
                }
            } catch (Exception e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail("Prometheus not ready:\n" + ReplicaGroup.read(workDir.resolve("prometheus.log")));
        return server;
    }

    /** The value of a query that gives one series. */
    double value(String promql) throws Exception {
        JsonNode result = query(promql);
        assertEquals(1, result.size(), () -> promql + " gives one series: " + result);
        return result.get(0).path("value").get(1).asDouble();
    }

    /** Any path of the HTTP API, e.g. {@code /api/v1/alerts}: its {@code data}. */
    JsonNode api(String path) throws Exception {
        JsonNode answer = JSON.readTree(Http.get(url + path).body());
        assertEquals("success", answer.path("status").asText(), () -> path + ": " + answer);
        return answer.path("data");
    }

    JsonNode query(String promql) throws Exception {
        JsonNode answer = JSON.readTree(Http.get(url + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
        assertEquals("success", answer.path("status").asText(), () -> promql + ": " + answer);
        return answer.path("data").path("result");
    }

    private static String binary() {
        String configured = System.getenv("PROMETHEUS_BIN");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        fail("prometheus is not installed: bash scripts/test.sh installs it (apt-get install prometheus)");
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }
}
