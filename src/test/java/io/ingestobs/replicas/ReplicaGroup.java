package io.ingestobs.replicas;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.LogFiles;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.PrometheusLine;
import io.ingestobs.testsupport.PrometheusServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The real parts of a replicas test, started and stopped together: a KRaft broker with the topic and its DLQ, a
 * Loki-protocol server, consumer processes of the packaged jar in one group, and (once their ports are known) a
 * Prometheus scraping them every second.
 */
final class ReplicaGroup implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(180);

    private final String topic;
    private final String group;
    private final EmbeddedKafkaBroker broker;
    private final LokiTestServer loki;
    private final List<ConsumerReplica> replicas = new ArrayList<>();
    private PrometheusServer prometheus;

    private ReplicaGroup(String topic, EmbeddedKafkaBroker broker, LokiTestServer loki) {
        this.topic = topic;
        this.group = topic + "-group";
        this.broker = broker;
        this.loki = loki;
    }

    /** A broker of 3 nodes with {@code topic} and {@code topic.dlq} of {@code partitions} each, and a Loki. */
    static ReplicaGroup start(String topic, int partitions) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
        try {
            broker.createTopics(partitions, topic, topic + ".dlq");
            return new ReplicaGroup(topic, broker, new LokiTestServer());
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    LokiTestServer loki() {
        return loki;
    }

    String topic() {
        return topic;
    }

    String group() {
        return group;
    }

    /** Prometheus scraping these ports, with the rule files of {@code ruleDir} when not null. */
    PrometheusServer scrape(List<Integer> metricsPorts, Path ruleDir) throws Exception {
        PrometheusServer.Builder builder = PrometheusServer.on(PrometheusLine.bookworm().prometheusBinary())
                .scraping(metricsPorts);
        prometheus = (ruleDir == null ? builder : builder.rules(ruleDir)).start();
        return prometheus;
    }

    /**
     * A consumer of the group on {@code metricsPort}: 6 s sessions, so that a killed member's partitions move on
     * within the test, batches sent after 200 ms, and 20 s for Prometheus's final scrape on a graceful stop.
     */
    ConsumerReplica start(String name, int metricsPort, Map<String, String> more) throws Exception {
        Map<String, String> environment = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "KAFKA_TOPIC", topic, "KAFKA_DLQ_TOPIC", topic + ".dlq", "KAFKA_GROUP_ID", group,
                "KAFKA_SESSION_TIMEOUT_MS", "6000",
                "LOKI_URL", loki.url(),
                "LOKI_BATCH_MAX_WAIT_MS", "200",
                "METRICS_FINAL_SCRAPE_WAIT_MS", "20000"));
        environment.putAll(more);
        ConsumerReplica replica = ConsumerReplica.start(name, metricsPort, environment);
        replicas.add(replica);
        return replica;
    }

    /** Waits up to 3 minutes for {@code condition}, failing at once with its log if one of {@code alive} dies. */
    static void await(String what, Check condition, ConsumerReplica... alive) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            for (ConsumerReplica replica : alive) {
                if (!replica.isAlive()) {
                    throw new AssertionError(replica + " died while waiting for " + what + ":\n"
                            + LogFiles.tail(replica.log()));
                }
            }
            Thread.sleep(200);
        }
        StringBuilder logs = new StringBuilder();
        for (ConsumerReplica replica : alive) {
            logs.append("\n--- ").append(replica).append('\n').append(LogFiles.tail(replica.log()));
        }
        throw new AssertionError("timed out waiting for " + what + logs);
    }

    static void awaitLog(ConsumerReplica replica, String regex) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        await(replica + " logging /" + regex + "/", () -> pattern.matcher(replica.log()).find(), replica);
    }

    /** Per replica the highest value Prometheus saw of {@code sum(series)}, summed over replicas. */
    static String highestPerReplicaSummed(String series) {
        return "sum(max_over_time((sum by (instance) (" + series + "))[30m:1s]))";
    }

    @Override
    public void close() throws Exception {
        for (ConsumerReplica replica : replicas) {
            replica.kill();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        loki.close();
        broker.close();
    }

    interface Check {
        boolean holds() throws Exception;
    }
}
