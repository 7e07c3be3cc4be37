package io.ingestobs.camel;

import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.metrics.RunMetrics;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a real broker: the committed runs of an assigned partition rebuild its pairs' state without counting them,
 * and the first success counted afterwards measures the recovery of a streak the previous owner saw start.
 */
class PartitionStateReadBackTest {

    @RegisterExtension
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    private static final String TOPIC = "state-read-back";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final Instant T = Instant.parse("2025-09-15T10:30:00Z");
    private static final EventRestructurer RESTRUCTURER = new EventRestructurer(Thresholds.DEFAULT);
    private static final Map<String, String> PAIR_A = Map.of("source", "sharepoint_graph",
            "objet", "EventFactureApplication", "entreprise", "akonovia", "zone", "1-Raw");
    private static final Map<String, String> PAIR_B = Map.of("source", "sharepoint_graph", "objet", "drives",
            "entreprise", "akonovia", "zone", "1-Raw");
    private static final Map<String, String> OBJET_A = Map.of("source", "sharepoint_graph",
            "objet", "EventFactureApplication");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RunMetrics metrics = new RunMetrics(registry, new LabelCardinalityLimiter(2000));
    private final CommittedRunCounter counter = new CommittedRunCounter(metrics);

    @BeforeAll
    static void publish() throws Exception {
        BROKER.createTopics(1, TOPIC);
        Properties props = new Properties();
        props.put("bootstrap.servers", BROKER.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            send(producer, run("EventFactureApplication", "FAILED", T));                 // offset 0
            send(producer, run("drives", "SUCCESS", T));                                 // 1
            producer.send(new ProducerRecord<>(TOPIC, "x", "not an event".getBytes(StandardCharsets.UTF_8)));  // 2
            send(producer, run("EventFactureApplication", "FAILED", T.plusSeconds(60)));  // 3
            send(producer, run("EventFactureApplication", "SUCCESS", T.plusSeconds(120))); // 4: not committed yet
            producer.flush();
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, RunRecord run) {
        producer.send(new ProducerRecord<>(TOPIC, run.source(), EventJson.write(RESTRUCTURER.restructure(run))));
    }

    private static RunRecord run(String objet, String etat, Instant end) {
        return new RunRecord(1L, "sharepoint_graph", objet, "job", etat, end.minusSeconds(2), end, 2.0, 0.2,
                8_000_000L, "message", "1-Raw", "akonovia");
    }

    private static Properties groupConsumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "the-group");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "consumer-the-group-1");
        return props;
    }

    private Exposition scrape() {
        return new Exposition(registry.scrape());
    }

    @Test
    void committedRunsRebuildThePairsStateWithoutBeingCountedAndTheNextSuccessMeasuresTheRecovery() {
        PartitionStateReadBack readBack = new PartitionStateReadBack(metrics, counter, 100_000,
                Duration.ofSeconds(20));
        readBack.restore(groupConsumerProperties(), Map.of(P0, new OffsetAndMetadata(4)));

        Exposition s = scrape();
        assertEquals(0.0, s.value("ingestion_last_run_success", PAIR_A), "the newest committed run failed");
        assertEquals(T.plusSeconds(60).getEpochSecond(), s.value("ingestion_pair_last_run_timestamp", PAIR_A));
        assertEquals(1.0, s.value("ingestion_last_run_success", PAIR_B));
        assertEquals(T.plusSeconds(60).getEpochSecond(), s.value("ingestion_last_run_timestamp",
                Map.of("source", "sharepoint_graph", "entreprise", "akonovia", "zone", "1-Raw")));
        assertTrue(s.absent("ingestion_runs_total") && s.absent("ingestion_failures_total")
                && s.absent("ingestion_duration_seconds_count"), "nothing read back is counted");
        assertEquals(0.0, s.value("ingestion_recovery_seconds_count", OBJET_A));

        // offset 4 is consumed here, counted once its commit is acknowledged
        metrics.record(RESTRUCTURER.restructure(run("EventFactureApplication", "SUCCESS", T.plusSeconds(120))));
        s = scrape();
        assertEquals(1.0, s.value("ingestion_recovery_seconds_count", OBJET_A));
        assertEquals(120.0, s.value("ingestion_recovery_seconds_sum", OBJET_A), "from the first failure read back");
        assertEquals(1.0, s.value("ingestion_last_run_success", PAIR_A));

        // assigned again (an eager rebalance): read from where the last read-back stopped (offset 4 only, already
        // counted here), nothing measured again
        readBack.restore(groupConsumerProperties(), Map.of(P0, new OffsetAndMetadata(5)));
        assertEquals(1.0, scrape().value("ingestion_recovery_seconds_count", OBJET_A));
        assertEquals(1.0, scrape().value("ingestion_last_run_success", PAIR_A));
    }

    @Test
    void atMostTheLastRecordsOfThePartitionAreReadBack() {
        new PartitionStateReadBack(metrics, counter, 1, Duration.ofSeconds(20))
                .restore(groupConsumerProperties(), Map.of(P0, new OffsetAndMetadata(4)));
        Exposition s = scrape();
        assertEquals(0.0, s.value("ingestion_last_run_success", PAIR_A));
        assertTrue(s.find("ingestion_last_run_success", PAIR_B::equals).isEmpty(),
                "offset 1 is outside the last record");
    }

    @Test
    void aPartitionNeverCommittedHasNothingToReadBack() {
        new PartitionStateReadBack(metrics, counter, 100_000, Duration.ofSeconds(20))
                .restore(groupConsumerProperties(), java.util.Collections.singletonMap(P0, null));
        assertTrue(scrape().absent("ingestion_last_run_success"));
    }

    /** The samples of a scrape, by name and labels. */
    private record Exposition(List<io.ingestobs.testsupport.PrometheusText.Sample> samples) {

        Exposition(String text) {
            this(io.ingestobs.testsupport.PrometheusText.parse(text));
        }

        java.util.Optional<io.ingestobs.testsupport.PrometheusText.Sample> find(String name,
                Predicate<Map<String, String>> labels) {
            return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels())).findFirst();
        }

        double value(String name, Map<String, String> labels) {
            return find(name, labels::equals).orElseThrow(() -> new AssertionError("no " + name + labels
                    + " among " + samples.stream().filter(s -> s.name().equals(name)).toList())).value();
        }

        boolean absent(String name) {
            return samples.stream().noneMatch(s -> s.name().equals(name));
        }
    }
}
