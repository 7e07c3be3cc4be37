package io.ingestobs.faults;

import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 19 as a user saw it: 100,000 runs of 100,000 distinct source/objet pairs (200 sources × 500 objets, all
 * within LABEL_CARDINALITY_LIMIT) on a real broker, one packaged-jar consumer with the container image's JAVA_OPTS
 * (a 256 MiB heap that exits on OutOfMemoryError). With the default METRICS_MAX_PAIRS the consumer stays up, every
 * run is counted (per source exactly), no more pairs than the budget have series of their own, the folded runs are
 * counted, and {@code GET /metrics} answers whole within 2 s, streamed. The scrape is also read while the runs
 * are consumed, as Prometheus would, since that is where the heap ran out.
 */
class DistinctPairsFloodIT {

    private static final int SOURCES = 200;
    private static final int OBJETS = 500;
    private static final int RUNS = SOURCES * OBJETS;
    private static final int MAX_PAIRS = 10_000;
    private static final String OTHER = "__other__";
    private static final String TOPIC = "flood";
    private static final String GROUP = "flood-group";
    private static final Duration SCRAPE_LIMIT = Duration.ofSeconds(2);

    @Test
    void aFloodOfDistinctPairsIsCountedWholeWithinTheBudgetAndTheConsumerStaysUp() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
             LokiTestServer loki = new LokiTestServer()) {
            broker.createTopics(3, TOPIC, TOPIC + ".dlq");
            publish(broker.bootstrapServers());

            int port = EmbeddedKafkaBroker.freePort();
            Path log = Files.createTempFile("flood-consumer", ".log");
            Process consumer = startConsumer(broker, loki, port, log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
            try {
                // scraped every second while it consumes, as Prometheus would
                List<Long> scrapesWhileConsuming = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (committed(broker) < RUNS) {
                    if (!consumer.isAlive()) {
                        fail("the consumer died while consuming:\n" + tail(log));
                    }
                    if (System.nanoTime() > deadline) {
                        fail("the consumer did not commit " + RUNS + " records in 3 minutes (" + committed(broker)
                                + "):\n" + tail(log));
                    }
                    try {
                        Scrape scrape = scrape(http, metrics);
                        // 404 until the route of /metrics is added, once Camel has started
                        if (scrape.status == 200) {
                            scrapesWhileConsuming.add(scrape.millis);
                        }
                    } catch (java.io.IOException notYetListening) {
                        // the port opens once Camel has started
                    }
                    Thread.sleep(1000);
                }

                Scrape last = null;
                long[] millis = new long[3];
                for (int i = 0; i < millis.length; i++) {
                    last = scrape(http, metrics);
                    assertEquals(200, last.status);
                    millis[i] = last.millis;
                }
                System.out.printf("[flood] scrapes while consuming (ms): %s; after: %s; %d bytes, %d lines%n",
                        scrapesWhileConsuming, Arrays.toString(millis), last.bytes, last.lines);
                for (long ms : millis) {
                    assertTrue(ms <= SCRAPE_LIMIT.toMillis(), "GET /metrics took " + ms + " ms: "
                            + Arrays.toString(millis));
                }
                assertTrue(last.streamed, "the scrape is streamed, not buffered whole first: " + last.headers);

                assertEquals((double) RUNS, last.runsBySource.values().stream().mapToDouble(d -> d).sum(),
                        "sum(ingestion_runs_total)");
                assertEquals(SOURCES, last.runsBySource.size());
                last.runsBySource.forEach((source, runs) -> assertEquals((double) OBJETS, runs,
                        "sum by source of ingestion_runs_total, " + source));
                assertEquals((double) RUNS / 100, last.failures, "sum(ingestion_failures_total): every 100th run");
                assertEquals(MAX_PAIRS, last.ownPairs.size(), "pairs with series of their own");
                assertTrue(last.otherPairs.size() <= SOURCES, "one __other__ per source at most");
                assertEquals((double) MAX_PAIRS, last.metricPairs, "ingestion_metric_pairs");
                assertEquals((double) RUNS - MAX_PAIRS, last.folded, "ingestion_pairs_folded_total");
                assertEquals(RUNS, loki.distinctLines().size(), "Loki has every run");

                assertTrue(consumer.isAlive(), "the consumer is up:\n" + tail(log));
                String output = Files.readString(log);
                assertFalse(output.contains("OutOfMemoryError"), tail(log));
                assertEquals(1, count(output, "METRICS_MAX_PAIRS (" + MAX_PAIRS + ") reached"),
                        "the overflow is logged once:\n" + tail(log));
            } finally {
                consumer.destroy();
                consumer.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Run n: source n % 200, objet n / 200 (each pair once), every 100th one FAILED. */
    private static void publish(String brokers) throws Exception {
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        Instant start = Instant.parse("2025-09-15T08:00:00Z");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", brokers,
                "linger.ms", 20, "batch.size", 1 << 20, "compression.type", "lz4"), new StringSerializer(),
                new ByteArraySerializer())) {
            for (int n = 0; n < RUNS; n++) {
                String source = String.format("connector_%03d", n % SOURCES);
                String objet = String.format("table_%05d_%s", n / SOURCES, "raw_extract");
                Instant end = start.plusMillis(n * 10L);
                RunRecord run = new RunRecord((long) n, source, objet, source + "_get_data",
                        n % 100 == 0 ? "FAILED" : "SUCCESS", end.minusMillis(1500), end, 1.5, 0.2, 8_000_000L,
                        "run " + n, "1-Raw", "akonovia");
                producer.send(new ProducerRecord<>(TOPIC, source, EventJson.write(restructurer.restructure(run))));
            }
            producer.flush();
        }
    }

    /** What one GET /metrics said, read as a stream, line by line, and how long it took to its last byte. */
    private static final class Scrape {
        int status;
        long millis;
        long bytes;
        long lines;
        boolean streamed;
        String headers;
        final Map<String, Double> runsBySource = new HashMap<>();
        final Set<String> ownPairs = new HashSet<>();
        final Set<String> otherPairs = new HashSet<>();
        double failures;
        double metricPairs = Double.NaN;
        double folded = Double.NaN;
    }

    /** Timed from the request to the last byte, as a scraper receives it; read into lines afterwards, untimed. */
    private static Scrape scrape(HttpClient http, URI uri) throws Exception {
        Scrape scrape = new Scrape();
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        scrape.millis = (System.nanoTime() - start) / 1_000_000;
        scrape.status = response.statusCode();
        // a body made whole before it is sent would announce its length
        scrape.streamed = response.headers().firstValue("content-length").isEmpty();
        scrape.headers = response.headers().map().toString();
        scrape.bytes = response.body().length;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(response.body()), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line; (line = reader.readLine()) != null; ) {
                scrape.lines++;
                if (line.startsWith("ingestion_runs_total{")) {
                    Sample s = PrometheusText.parse(line).get(0);
                    scrape.runsBySource.merge(s.labels().get("source"), s.value(), Double::sum);
                } else if (line.startsWith("ingestion_failures_total{")) {
                    Sample s = PrometheusText.parse(line).get(0);
                    scrape.failures += s.value();
                    String pair = s.labels().get("source") + "/" + s.labels().get("objet") + "/"
                            + s.labels().get("entreprise") + "/" + s.labels().get("zone");
                    (OTHER.equals(s.labels().get("objet")) ? scrape.otherPairs : scrape.ownPairs).add(pair);
                } else if (line.startsWith("ingestion_metric_pairs ")) {
                    scrape.metricPairs = PrometheusText.parse(line).get(0).value();
                } else if (line.startsWith("ingestion_pairs_folded_total ")) {
                    scrape.folded = PrometheusText.parse(line).get(0).value();
                }
            }
        }
        return scrape;
    }

    /** The consumer as the container runs it: the packaged jar with the Dockerfile's JAVA_OPTS. */
    private static Process startConsumer(EmbeddedKafkaBroker broker, LokiTestServer loki, int port, Path log)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(shippedJavaOpts());
        command.addAll(List.of("-jar", "target/ingestion-observability.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File("."))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("ROLE", "consumer");
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_TOPIC", TOPIC);
        env.put("KAFKA_DLQ_TOPIC", TOPIC + ".dlq");
        env.put("KAFKA_GROUP_ID", GROUP);
        env.put("LOKI_URL", loki.url());
        env.put("METRICS_PORT", Integer.toString(port));
        // the defaults are under test: no METRICS_MAX_PAIRS, no LABEL_CARDINALITY_LIMIT
        env.remove("METRICS_MAX_PAIRS");
        env.remove("LABEL_CARDINALITY_LIMIT");
        env.remove("JAVA_TOOL_OPTIONS");
        return builder.start();
    }

    /** {@code ENV JAVA_OPTS="..."} of the Dockerfile, split on spaces as the image's entry point splits it. */
    private static List<String> shippedJavaOpts() throws Exception {
        Matcher m = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"").matcher(Files.readString(Path.of("Dockerfile")));
        assertTrue(m.find(), "the Dockerfile sets JAVA_OPTS");
        List<String> options = Arrays.asList(m.group(1).trim().split("\\s+"));
        assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), "an OOM ends the process: " + options);
        return options;
    }

    private static long committed(EmbeddedKafkaBroker broker) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
