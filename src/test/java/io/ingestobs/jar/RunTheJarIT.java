package io.ingestobs.jar;

import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the README promises a new user: {@code REBASE_TIMESTAMPS=true java -jar ingestion-observability.jar},
 * nothing else configured, and within a minute :8000 serves the sample's figures (SPEC §9), the newest run
 * ending about now. The jar is copied alone with {@code logs.json} into an empty folder (SPEC §6): no {@code lib/}
 * and no {@code routes/} beside it, so its dependencies and routes must be inside it.
 */
class RunTheJarIT {

    private static final List<String> SPEC_VARIABLES = List.of("ROLE", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC",
            "KAFKA_DLQ_TOPIC", "KAFKA_GROUP_ID", "LOGS_FILE_PATH", "INPUT_DIR", "LOKI_URL", "METRICS_PORT",
            "EMBEDDED_KAFKA_PORT", "REBASE_TIMESTAMPS", "SIMULATE_REALTIME", "ROUTES_RELOAD", "ROUTES_DIR");

    @Test
    void theJarCopiedAloneWithNoConfigurationServesTheSampleFiguresOnPort8000(@TempDir Path folder)
            throws Exception {
        requireFree(8000);
        requireFree(9092);
        Files.copy(Path.of("target/ingestion-observability.jar"), folder.resolve("ingestion-observability.jar"));
        Files.copy(Path.of("logs.json"), folder.resolve("logs.json"));
        Path log = Files.createTempFile("jar-run", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "ingestion-observability.jar")
                .directory(folder.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        SPEC_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().put("REBASE_TIMESTAMPS", "true");
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<Sample> runs = List.of();
            while (System.nanoTime() < deadline && runs.size() < 72) {
                Thread.sleep(500);
                assertTrue(process.isAlive(), () -> "the jar stopped: " + read(log));
                runs = runs();
            }
            assertEquals(72, runs.size(), () -> read(log));
            Map<String, Double> byEtat = runs.stream().collect(Collectors.groupingBy(s -> s.labels().get("etat"),
                    Collectors.summingDouble(Sample::value)));
            assertEquals(Map.of("SUCCESS", 71.0, "FAILED", 1.0), byEtat);
            double newestEnd = PrometheusText.named(PrometheusText.parse(
                    Http.get("http://localhost:8000/metrics").body()), "ingestion_last_run_timestamp").stream()
                    .mapToDouble(Sample::value).max().orElseThrow();
            double now = System.currentTimeMillis() / 1000.0;
            assertTrue(Math.abs(now - newestEnd) < 120, "newest run ends at " + newestEnd + ", now is " + now);
            HttpResponse<String> health = Http.get("http://localhost:8000/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"UP\""), health.body());
            String output = read(log);
            assertTrue(output.contains("Chargé 72 entrées de log depuis logs.json"), output);
            assertTrue(output.contains("Producteur terminé: 72 succès, 0 erreurs"), output);
            assertTrue(output.contains("loki=off"), output);
            assertTrue(output.contains("Routes: the ones packaged in the jar"), output);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the jar did not stop within 30 s of SIGTERM");
            }
        }
    }

    private static List<Sample> runs() {
        try {
            return PrometheusText.named(PrometheusText.parse(Http.get("http://localhost:8000/metrics").body()),
                    "ingestion_runs_total");
        } catch (Exception e) {
            return List.of();
        }
    }

    private static void requireFree(int port) {
        try (ServerSocket ignored = new ServerSocket(port)) {
            // free
        } catch (IOException e) {
            fail("port " + port + " is taken on this machine: this test runs the jar on its default ports");
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
