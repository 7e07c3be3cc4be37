package io.ingestobs.kafka;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.SyntheticRuns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** kafka_consumer_lag_sum, and a refresh that fails counted and dated rather than swallowed. */
class ConsumerLagMonitorTest {

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double meter(String name) {
        var gauge = registry.find(name).gauge();
        return gauge != null ? gauge.value() : registry.get(name).counter().count();
    }

    @Test
    void aRefreshThatFailsIsCountedAndTheLagsAgeShowsIt() {
        int closed = EmbeddedKafkaBroker.freePort();
        try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(registry,
                Map.of("bootstrap.servers", "127.0.0.1:" + closed), "t", "g", Duration.ofMillis(500), CLOCK)) {
            monitor.refresh();
            monitor.refresh();
        }
        assertEquals(2, meter("ingestion.consumer.lag.refresh.failures"));
        assertEquals(0, meter("ingestion.consumer.lag.last.refresh.timestamp"), "never read");
        assertEquals(0, meter("kafka.consumer.lag.sum"));
    }

    @Test
    void theLagOfAGroupThatReadNothingIsTheWholeTopicAndTheRefreshIsDated() throws Exception {
        broker.createTopics(3, "lag-topic");
        SyntheticRuns.publish(broker.bootstrapServers(), "lag-topic", 0, 25, 5);
        try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(registry,
                Map.of("bootstrap.servers", broker.bootstrapServers()), "lag-topic", "lag-group",
                Duration.ofSeconds(10), CLOCK)) {
            monitor.refresh();
        }
        assertEquals(25, meter("kafka.consumer.lag.sum"));
        assertEquals(CLOCK.millis() / 1000.0, meter("ingestion.consumer.lag.last.refresh.timestamp"));
        assertEquals(0, meter("ingestion.consumer.lag.refresh.failures"));
    }
}
