package io.ingestobs.launcher;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherTest {

    @Test
    void aProducerOrConsumerWithoutBrokersIsRefusedClearly() {
        assertEquals(2, Launcher.run(Map.of("ROLE", "producer")));
        assertEquals(2, Launcher.run(Map.of("ROLE", "consumer")));
    }

    @Test
    void anUnknownRoleIsRefused() {
        assertEquals(2, Launcher.run(Map.of("ROLE", "both")));
        assertThrows(IllegalArgumentException.class, () -> Role.parse("both"));
        assertEquals(Role.ALL, Role.parse(null));
        assertEquals(Role.PRODUCER, Role.parse(" Producer "));
    }

    @Test
    void aProducerThatCannotReachKafkaEndsWithANonZeroCode() throws Exception {
        int closedPort = EmbeddedKafkaBroker.freePort();
        try (PipelineApp producer = PipelineApp.start(Role.PRODUCER, "127.0.0.1:" + closedPort,
                Map.of("camel.component.kafka.maxBlockMs", "1500"), Duration.ofMinutes(1))) {
            assertTrue(producer.awaitStopped(Duration.ofMinutes(1)), "the producer ends by itself");
            assertEquals(0, producer.summary().publishedCount());
            assertEquals(1, producer.summary().exitCode());
        }
    }
}
