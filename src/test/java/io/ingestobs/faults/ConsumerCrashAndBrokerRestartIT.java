package io.ingestobs.faults;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import io.ingestobs.testsupport.SyntheticRuns;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A consumer process killed with SIGKILL mid-stream, then a broker restart under its successor: every run ends
 * in Loki, the offsets reach the end, and the new process counts exactly the runs it consumed, each once.
 * The consumers are the packaged jar in their own JVMs, heap capped at 256 MiB.
 */
class ConsumerCrashAndBrokerRestartIT {

    private static final int RUNS = 30_000;

    @Test
    void nothingIsLostAndTheRestartedProcessCountsEachRunOnce() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
             LokiTestServer loki = new LokiTestServer()) {
            broker.createTopics(3, "crash", "crash.dlq");
            loki.delayEachResponse(100);
            Set<String> published = new HashSet<>();
            SyntheticRuns.publish(broker.bootstrapServers(), "crash", 0, RUNS, 300)
                    .forEach(e -> published.add(new String(e, StandardCharsets.UTF_8)));

            Process first = startConsumer(broker, loki, EmbeddedKafkaBroker.freePort(), "first");
            await("the first consumer delivered part of the topic", () -> loki.distinctLines().size() >= 5000,
                    first);
            first.destroyForcibly();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            long committedAtCrash = committed(broker);
            assertTrue(committedAtCrash > 0 && committedAtCrash < RUNS, "killed mid-stream at " + committedAtCrash);

            int port = EmbeddedKafkaBroker.freePort();
            Process second = startConsumer(broker, loki, port, "second");
            try {
                await("the second consumer took over", () -> committed(broker) > committedAtCrash + 2000, second);
                long committedAtRestart = committed(broker);
                broker.restart();
                assertTrue(committedAtRestart < RUNS, "the broker restarted mid-stream, at " + committedAtRestart);
                await("every run in Loki", () -> loki.distinctLines().size() >= RUNS, second);
                await("offsets committed to the end", () -> committed(broker) == RUNS, second);
                assertEquals(published, loki.distinctLines());
                String metrics = Http.get("http://127.0.0.1:" + port + "/metrics").body();
                List<Sample> samples = PrometheusText.parse(metrics);
                double counted = PrometheusText.named(samples, "ingestion_runs_total").stream()
                        .mapToDouble(Sample::value).sum();
                assertEquals(RUNS - committedAtCrash, counted,
                        "the restarted process counts what it consumed after the crash, once");
                double heap = PrometheusText.named(samples, "jvm_memory_used_bytes").stream()
                        .filter(s -> "heap".equals(s.labels().get("area"))).mapToDouble(Sample::value).sum();
                assertTrue(heap < 256 * 1024 * 1024, "heap in use: " + heap);
                assertTrue(second.isAlive(), "the consumer survived the broker restart");
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startConsumer(EmbeddedKafkaBroker broker, LokiTestServer loki, int port, String name)
            throws Exception {
        Path log = Files.createTempFile("consumer-" + name, ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-jar", "target/ingestion-observability.jar")
                .directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("ROLE", "consumer");
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_TOPIC", "crash");
        env.put("KAFKA_DLQ_TOPIC", "crash.dlq");
        env.put("KAFKA_GROUP_ID", "crash-group");
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("LOKI_URL", loki.url());
        // batches of 500 records, each committed once delivered: the kill lands between commits, mid-stream
        env.put("KAFKA_MAX_POLL_RECORDS", "500");
        env.put("LOKI_BATCH_MAX_ENTRIES", "500");
        env.put("LOKI_BATCH_MAX_WAIT_MS", "200");
        env.put("METRICS_PORT", Integer.toString(port));
        return builder.start();
    }

    private static long committed(EmbeddedKafkaBroker broker) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets("crash-group").partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(String what, BooleanSupplier condition, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                fail("the consumer process died while waiting for " + what);
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what);
    }
}
