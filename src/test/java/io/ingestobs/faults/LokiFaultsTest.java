package io.ingestobs.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.LokiTestServer.Answer;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.PrometheusText.Sample;
import io.ingestobs.testsupport.SyntheticRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loki misbehaving while a consumer drains a topic (SPEC §5): every case checks the runs that reach Loki by
 * content, the metric totals against the runs published, the DLQ against the entries Loki refused, the offsets
 * committed, and that nothing stays pending.
 */
class LokiFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS = 3000;
    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    /** One consumer on its own topic and group, its Loki, its metrics port. */
    private static final class Consumer implements AutoCloseable {
        final String topic;
        final LokiTestServer loki;
        final String metricsUrl;
        final PipelineApp app;

        Consumer(String topic, LokiTestServer loki, Map<String, String> extra) throws Exception {
            this.topic = topic;
            this.loki = loki;
            broker.createTopics(3, topic, topic + ".dlq");
            int port = EmbeddedKafkaBroker.freePort();
            this.metricsUrl = "http://127.0.0.1:" + port + "/metrics";
            Map<String, String> props = new HashMap<>(Map.of("kafka.topic", topic, "kafka.dlqTopic", topic + ".dlq",
                    "kafka.groupId", topic + "-group", "camel.management.port", Integer.toString(port),
                    "loki.url", loki.url(), "loki.batch.maxWaitMs", "200", "loki.batch.maxEntries", "500",
                    "consumer.maxPollRecords", "500"));
            props.putAll(extra);
            this.app = PipelineApp.start(Role.CONSUMER, broker.bootstrapServers(), props, Duration.ofMinutes(1));
        }

        /**
         * The consumer's metrics. A failed scrape is said, with its cause, and tried again as Prometheus would at
         * its next interval; three in a row fail the test (twice, under a loaded CI machine, one scrape failed and
         * was read as "no runs counted").
         */
        List<Sample> metrics() {
            Exception last = null;
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    return PrometheusText.parse(Http.get(metricsUrl).body());
                } catch (Exception e) {
                    last = e;
                    System.err.println("GET " + metricsUrl + " failed (attempt " + attempt + "): " + e);
                    e.printStackTrace();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            throw new AssertionError("GET " + metricsUrl + " failed three times", last);
        }

        double total(String name) {
            return PrometheusText.named(metrics(), name).stream().mapToDouble(Sample::value).sum();
        }

        @Override
        public void close() throws Exception {
            app.close();
            loki.close();
        }
    }

    private static Set<String> asLines(List<byte[]> events) {
        Set<String> lines = new HashSet<>();
        events.forEach(e -> lines.add(new String(e, StandardCharsets.UTF_8)));
        return lines;
    }

    /** What every case must end with: all good runs in Loki once by content, counted once, committed. */
    private static void assertAllDelivered(Consumer consumer, Set<String> expectedLines, int published)
            throws Exception {
        Await.until("Loki holds every valid run", () -> consumer.loki.distinctLines().containsAll(expectedLines));
        Await.until("offsets committed to the end", () -> KafkaTopics.committed(broker.bootstrapServers(), consumer.topic + "-group") == published);
        assertEquals(expectedLines, consumer.loki.distinctLines());
        assertEquals(published, consumer.total("ingestion_runs_total"), "each run counted once");
        assertEquals(published / 100, consumer.total("ingestion_failures_total"));
        assertEquals(0, consumer.total("ingestion_loki_pending_entries"));
    }

    @Test
    void lokiDownForAWhileLosesNothingAndCountsNothingTwice() throws Exception {
        try (Consumer consumer = new Consumer("down", new LokiTestServer(),
                Map.of("loki.retry.maxTimeMs", "1500", "loki.retry.maxBackoffMs", "500"))) {
            consumer.loki.downFor(Duration.ofSeconds(8), 503);
            Set<String> lines = asLines(SyntheticRuns.publish(broker.bootstrapServers(), "down", 0, RUNS, 50));
            double maxPending = 0;
            long maxCommittedWhileDown = 0;
            int committedSamples = 0;
            while (consumer.loki.isDown()) {
                maxPending = Math.max(maxPending, consumer.total("ingestion_loki_pending_entries"));
                long committed = KafkaTopics.committed(broker.bootstrapServers(), "down-group");
                // Read while Loki was still down (checked after the read): once it is back, the whole topic may be
                // delivered and committed within a few hundred ms, so a read after the outage proves nothing.
                if (consumer.loki.isDown()) {
                    maxCommittedWhileDown = Math.max(maxCommittedWhileDown, committed);
                    committedSamples++;
                }
                Thread.sleep(100);
            }
            // batches overlap: CONSUMER_BATCHES_IN_FLIGHT (2) batches of 500 may wait for Loki, no more
            assertTrue(maxPending > 0 && maxPending <= 2 * 500, "pending while down, capped at two batches: "
                    + maxPending);
            assertTrue(committedSamples > 0, "committed offsets read during the outage");
            assertEquals(0, maxCommittedWhileDown, "nothing may be committed past what Loki did not take");
            assertAllDelivered(consumer, lines, RUNS);
            assertTrue(consumer.total("ingestion_loki_push_requests_total") > 3);
            assertTrue(PrometheusText.named(consumer.metrics(), "ingestion_loki_push_requests_total").stream()
                    .anyMatch(s -> s.labels().get("status").equals("5xx") && s.value() > 0));
        }
    }

    @Test
    void aStormOf429IsRiddenOutHonouringRetryAfter() throws Exception {
        try (Consumer consumer = new Consumer("storm", new LokiTestServer(), Map.of())) {
            for (int i = 0; i < 20; i++) {
                consumer.loki.answerNext(new Answer(429, "Ingestion rate limit exceeded for user", "1"));
            }
            Set<String> lines = asLines(SyntheticRuns.publish(broker.bootstrapServers(), "storm", 0, RUNS, 50));
            assertAllDelivered(consumer, lines, RUNS);
            assertEquals(20, PrometheusText.named(consumer.metrics(), "ingestion_loki_push_requests_total").stream()
                    .filter(s -> s.labels().get("status").equals("429")).mapToDouble(Sample::value).sum());
        }
    }

    @Test
    void entriesLokiRefusesGoToTheDeadLetterTopicAndTheRestIsDelivered() throws Exception {
        try (Consumer consumer = new Consumer("refuse", new LokiTestServer(), Map.of())) {
            // one run in 97 carries a line Loki will refuse; a strict server stores none of a refused batch
            consumer.loki.refuseLinesMatching(line -> line.contains("\"id\":") && idOf(line) % 97 == 5,
                    LokiTestServer.PartialMode.STRICT);
            List<byte[]> events = SyntheticRuns.publish(broker.bootstrapServers(), "refuse", 0, RUNS, 50);
            Set<String> refused = new HashSet<>();
            Set<String> accepted = new HashSet<>();
            for (String line : asLines(events)) {
                (idOf(line) % 97 == 5 ? refused : accepted).add(line);
            }
            Await.until("Loki holds every accepted run", () -> consumer.loki.distinctLines().containsAll(accepted));
            Await.until("offsets committed to the end", () -> KafkaTopics.committed(broker.bootstrapServers(), "refuse-group") == RUNS);
            assertEquals(accepted, consumer.loki.distinctLines());
            List<JsonNode> dlq = KafkaTopics.readJson(broker.bootstrapServers(), "refuse.dlq", refused.size());
            Set<String> originals = new HashSet<>();
            for (JsonNode letter : dlq) {
                assertEquals("loki", letter.get("stage").asText());
                assertEquals("loki_rejected", letter.get("reason").asText());
                assertTrue(letter.get("error").asText().contains("too old"), letter.toString());
                originals.add(letter.get("original").asText());
            }
            assertEquals(refused, originals);
            assertEquals(RUNS, consumer.total("ingestion_runs_total"));
            Await.until("dead letters counted", () -> consumer.total("ingestion_dead_letters_total") == refused.size());
        }
    }

    @Test
    void slowLokiResponsesStillDeliverEverything() throws Exception {
        try (Consumer consumer = new Consumer("slow", new LokiTestServer(), Map.of())) {
            consumer.loki.delayEachResponse(300);
            Set<String> lines = asLines(SyntheticRuns.publish(broker.bootstrapServers(), "slow", 0, RUNS, 50));
            assertAllDelivered(consumer, lines, RUNS);
        }
    }

    /**
     * Batches overlap: two are pushed while the next is read. Loki holds the first batch's push, answers the second
     * batch's at once, then fails the first (503 past the retry budget). No commit may pass the first batch's first
     * offset of any of its partitions while its runs are not in Loki (checked on every acknowledged commit, as the
     * coordinator acknowledges it), the first batch must be consumed again, and the counts end exact.
     */
    @Test
    void aBatchAnsweredBeforeAnEarlierOneThatFailsIsNeverCommittedPastIt() throws Exception {
        Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch secondAnswered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong failUntil = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        java.util.concurrent.atomic.AtomicInteger failedAttempts = new java.util.concurrent.atomic.AtomicInteger();
        LokiTestServer loki = new LokiTestServer();
        loki.onPush(entries -> {
            Set<String> lines = new HashSet<>();
            entries.forEach(e -> lines.add(e.line()));
            boolean first;
            synchronized (held) {
                first = held.isEmpty();
                if (first) {
                    held.addAll(lines);
                }
            }
            if (first) {
                try {
                    // the second batch's push is answered while this one is held; then this one fails
                    secondAnswered.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                failUntil.set(System.currentTimeMillis() + 2500);
                failedAttempts.incrementAndGet();
                return new Answer(503, "held, then failed (test)", null);
            }
            if (!java.util.Collections.disjoint(lines, held)) {
                if (System.currentTimeMillis() < failUntil.get()) {
                    failedAttempts.incrementAndGet();
                    return new Answer(503, "still failing the first batch (test)", null);
                }
                return null;
            }
            secondAnswered.countDown();
            return null;
        });
        CommitWatch.COMMITS.clear();
        CommitWatch.inLoki = loki::distinctLines;
        try (Consumer consumer = new Consumer("overlap", loki, Map.of("loki.retry.maxTimeMs", "1500",
                "loki.retry.maxBackoffMs", "300", "camel.component.kafka.interceptorClasses",
                CommitWatch.class.getName()))) {
            Set<String> lines = asLines(SyntheticRuns.publish(broker.bootstrapServers(), "overlap", 0, RUNS, 50));
            Await.until("offsets committed to the end",
                    () -> KafkaTopics.committed(broker.bootstrapServers(), "overlap-group") == RUNS);

            // every acknowledged commit: each record below the committed offset of its partition was in Loki
            Map<Integer, Map<Long, String>> topic = new HashMap<>();
            for (KafkaTopics.Located record : KafkaTopics.readLocated(broker.bootstrapServers(), "overlap", RUNS)) {
                topic.computeIfAbsent(record.partition(), p -> new HashMap<>()).put(record.offset(), record.value());
            }
            assertTrue(!CommitWatch.COMMITS.isEmpty(), "the commits were seen");
            for (CommitWatch.Commit commit : CommitWatch.COMMITS) {
                commit.offsets().forEach((partition, offset) -> {
                    if (!partition.topic().equals("overlap")) {
                        return;
                    }
                    topic.get(partition.partition()).forEach((recordOffset, line) -> assertTrue(
                            recordOffset >= offset || commit.inLoki().contains(line), () -> "committed " + partition
                                    + " at " + offset + " while its record at " + recordOffset + " was not in Loki"
                                    + (held.contains(line) ? " (of the first batch, held then failed)" : "")));
                });
            }
            assertAllDelivered(consumer, lines, RUNS);
            assertTrue(secondAnswered.getCount() == 0, "a later batch was answered while the first was held");
            assertTrue(failedAttempts.get() > 1, "the first batch failed, retried: " + failedAttempts.get());
            List<String> order = loki.entries().stream().map(LokiTestServer.Entry::line).toList();
            int firstHeld = -1;
            for (int i = 0; i < order.size() && firstHeld < 0; i++) {
                firstHeld = held.contains(order.get(i)) ? i : -1;
            }
            assertTrue(firstHeld > 0, "a later batch reached Loki before the first batch, consumed again");
        } finally {
            CommitWatch.inLoki = Set::of;
        }
    }

    private static long idOf(String line) {
        try {
            return JSON.readTree(line).at("/objet/id").asLong();
        } catch (Exception e) {
            return -1;
        }
    }



}
