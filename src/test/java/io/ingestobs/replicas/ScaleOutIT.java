package io.ingestobs.replicas;

import io.ingestobs.testsupport.ListenPorts;
import io.ingestobs.testsupport.LogFiles;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusServer;
import io.ingestobs.testsupport.SyntheticRuns;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §4, counting once across replicas, on real parts: a KRaft broker, three consumer processes of the packaged
 * jar in one group on a 3-partition topic, a real Prometheus scraping every one of them each second, a Loki-protocol
 * server slow enough that work is always in flight. Counts are read the way Prometheus sees them: per replica its
 * highest {@code sum(ingestion_runs_total)}, summed over replicas.
 */
class ScaleOutIT {

    private static final int RUNS = 24_000;
    private static final int SOURCES = 12;
    private static final int BATCH = 200;
    /** SyntheticRuns: FAILED when n % 100 == 0. */
    private static final int FAILURES = RUNS / 100;

    private ReplicaGroup parts;
    private LokiTestServer loki;
    private PrometheusServer prometheus;
    private Set<String> published;

    @BeforeEach
    void startParts() throws Exception {
        parts = ReplicaGroup.start("scale", 3);
        loki = parts.loki();
        // one push of 200 lines per half second and replica: the topic takes tens of seconds, always in flight
        loki.delayEachResponse(500);
        published = new HashSet<>();
    }

    private void publish(int from, int to) throws Exception {
        SyntheticRuns.publish(parts.broker().bootstrapServers(), "scale", from, to, 300, SOURCES)
                .forEach(e -> published.add(new String(e, StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stopParts() throws Exception {
        if (parts != null) {
            parts.close();
        }
    }

    @Test
    void stoppingAddingAndRebalancingReplicasCountsEveryRunExactlyOnce() throws Exception {
        List<Integer> ports = ListenPorts.free(4);
        prometheus = parts.scrape(ports, null);
        publish(0, RUNS / 2);
        ConsumerReplica a = start("a", ports.get(0));
        ConsumerReplica b = start("b", ports.get(1));
        ConsumerReplica c = start("c", ports.get(2));

        awaitInLoki(RUNS / 4, a, c);
        // graceful stop with work in flight: its batch finished, committed, counted, and scraped once more
        b.stop();
        assertTrue(b.awaitExit(Duration.ofSeconds(60)), "replica b stopped on SIGTERM");
        String bLog = b.log();
        assertTrue(bLog.contains("Final scrape of /metrics served"),
                "b waited for its final scrape:\n" + LogFiles.tail(bLog));

        awaitInLoki(RUNS * 3 / 8, a, c);
        ConsumerReplica d = start("d", ports.get(3));
        // new runs on every partition once d is in the group, so that the added replica has work of its own
        ReplicaGroup.awaitLog(d, "Partitions \\[.*\\] assigned");
        publish(RUNS / 2, RUNS);
        awaitInLoki(RUNS * 5 / 8, a, c, d);
        forceRebalance();

        awaitInLoki(RUNS, a, c, d);
        awaitCommitted(RUNS, a, c, d);
        assertEquals(published, loki.distinctLines(), "every run in Loki");
        // every replica's last counts scraped: two more scrape intervals
        Thread.sleep(3000);

        double runs = prometheus.value(ReplicaGroup.highestPerReplicaSummed("ingestion_runs_total"));
        double failures = prometheus.value(ReplicaGroup.highestPerReplicaSummed("ingestion_failures_total"));
        System.out.printf("scale-out: counted %.0f runs and %.0f failures for %d and %d; per replica %s%n", runs,
                failures, RUNS, FAILURES, prometheus.query(
                        "max_over_time((sum by (instance) (ingestion_runs_total))[30m:1s])"));
        assertEquals(RUNS, runs, "runs counted over every replica, as Prometheus sees them");
        for (int i = 0; i < ports.size(); i++) {
            String name = List.of("a", "b", "c", "d").get(i);
            double own = prometheus.value("max_over_time((sum by (instance) (ingestion_runs_total{instance="
                    + "'127.0.0.1:" + ports.get(i) + "'}))[30m:1s])");
            assertTrue(own > 0, "replica " + name + " counted runs of its own");
        }
        assertEquals(FAILURES, failures, "failures counted over every replica, as Prometheus sees them");
        for (ConsumerReplica replica : List.of(a, c, d)) {
            assertTrue(replica.isAlive(), replica + " alive");
        }
    }

    @Test
    void aReplicaKilledWithoutWarningIsRecountedByAtMostOnePushRequest() throws Exception {
        List<Integer> ports = ListenPorts.free(3);
        prometheus = parts.scrape(ports, null);
        publish(0, RUNS);
        ConsumerReplica a = start("a", ports.get(0));
        ConsumerReplica b = start("b", ports.get(1));
        ConsumerReplica c = start("c", ports.get(2));

        awaitInLoki(RUNS / 3, a, c);
        b.kill();
        awaitInLoki(RUNS, a, c);
        awaitCommitted(RUNS, a, c);
        assertEquals(published, loki.distinctLines(), "every run in Loki");
        Thread.sleep(3000);

        double runs = prometheus.value(ReplicaGroup.highestPerReplicaSummed("ingestion_runs_total"));
        System.out.printf("SIGKILL: counted %.0f runs for %d: overcount %.0f (bound %d); per replica %s%n", runs,
                RUNS, runs - RUNS, BATCH, prometheus.query(
                        "max_over_time((sum by (instance) (ingestion_runs_total))[30m:1s])"));
        assertTrue(runs - RUNS <= BATCH, "counted again after SIGKILL: at most one push request's worth, "
                + "LOKI_BATCH_MAX_ENTRIES=" + BATCH + "; counted " + runs);
    }

    @Test
    void aLokiOutageUnderSeveralReplicasCountsEveryRunExactlyOnce() throws Exception {
        List<Integer> ports = ListenPorts.free(3);
        prometheus = parts.scrape(ports, null);
        publish(0, RUNS / 2);
        // each replica gives up on its batch after 1.5 s of a Loki that answers 503, hands it back to Kafka and
        // rejoins the group: partitions move between replicas with batches that were read and not delivered
        Map<String, String> quickToGiveUp = Map.of("LOKI_RETRY_MAX_MS", "1500");
        ConsumerReplica a = start("a", ports.get(0), quickToGiveUp);
        ConsumerReplica b = start("b", ports.get(1), quickToGiveUp);
        ConsumerReplica c = start("c", ports.get(2), quickToGiveUp);

        awaitInLoki(RUNS / 8, a, b, c);
        loki.downFor(Duration.ofSeconds(10), 503);
        awaitInLoki(RUNS / 2, a, b, c);
        awaitCommitted(RUNS / 2, a, b, c);
        assertEquals(published, loki.distinctLines(), "every run in Loki");
        Thread.sleep(3000);

        double runs = prometheus.value(ReplicaGroup.highestPerReplicaSummed("ingestion_runs_total"));
        System.out.printf("Loki outage: counted %.0f runs for %d; per replica %s%n", runs, RUNS / 2,
                prometheus.query("max_over_time((sum by (instance) (ingestion_runs_total))[30m:1s])"));
        assertEquals(RUNS / 2, runs, "runs counted over every replica, as Prometheus sees them");
    }

    private ConsumerReplica start(String name, int port) throws Exception {
        return start(name, port, Map.of());
    }

    private ConsumerReplica start(String name, int port, Map<String, String> more) throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "KAFKA_MAX_POLL_RECORDS", Integer.toString(BATCH),
                "LOKI_BATCH_MAX_ENTRIES", Integer.toString(BATCH)));
        environment.putAll(more);
        return parts.start(name, port, environment);
    }

    /** A member joins the group and leaves again: two rebalances while the replicas have batches in flight. */
    private void forceRebalance() {
        try (KafkaConsumer<byte[], byte[]> joiner = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", parts.broker().bootstrapServers(), "group.id", parts.group(),
                "enable.auto.commit", "false", "session.timeout.ms", "6000", "max.poll.records", "1"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            java.util.concurrent.atomic.AtomicBoolean joined = new java.util.concurrent.atomic.AtomicBoolean();
            joiner.subscribe(List.of("scale"), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // with four members on three partitions one of them may get none: joining is what counts
                    joined.set(true);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!joined.get() && System.nanoTime() < deadline) {
                joiner.poll(Duration.ofMillis(200));
            }
            assertTrue(joined.get(), "the joining member joined the group");
        }
    }

    private void awaitInLoki(int runs, ConsumerReplica... alive) throws Exception {
        ReplicaGroup.await(runs + " runs in Loki", () -> loki.distinctLines().size() >= runs, alive);
    }

    private void awaitCommitted(long offsets, ConsumerReplica... alive) throws Exception {
        ReplicaGroup.await("offsets committed to " + offsets, () -> committed() == offsets, alive);
    }

    private long committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", parts.broker().bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(parts.group()).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        }
    }
}
