package io.ingestobs.faults;

import io.ingestobs.camel.ProducerSummary;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.KafkaTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker goes away while {@code ROLE=producer} publishes a large file: the records it had acknowledged count as
 * published, and only they; the rest are errors, the file is not reported as done and the process exits non-zero.
 * Once the broker is back, the topic holds at least every record the summary called published.
 */
class ProducerBrokerLossTest {

    private static final int RECORDS = 400_000;

    @Test
    void aBrokerStoppedMidFileGivesErrorsNotSuccess(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("export.jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < RECORDS; i++) {
                out.write("{\"id\":" + i + ",\"Source\":\"S" + (i % 7) + "\",\"Objet\":\"o" + (i % 100)
                        + "\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00.000\"}\n");
            }
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3)) {
            broker.createTopics(3, "lost", "lost.dlq");
            Map<String, String> props = new HashMap<>();
            props.put("kafka.topic", "lost");
            props.put("kafka.dlqTopic", "lost.dlq");
            props.put("input.file", file.toString());
            // a broker that does not answer is given up on in seconds, not the client's default two minutes
            props.put("camel.component.kafka.maxBlockMs", "3000");
            props.put("camel.component.kafka.requestTimeoutMs", "2000");
            props.put("camel.component.kafka.deliveryTimeoutMs", "5000");
            ProducerSummary summary;
            try (PipelineApp producer = PipelineApp.start(Role.PRODUCER, broker.bootstrapServers(), props,
                    Duration.ofMinutes(1))) {
                Await.until("the producer publishing", () -> KafkaTopics.endOffsets(broker.bootstrapServers(),
                        "lost") > 20_000);
                broker.stop();
                assertTrue(producer.awaitStopped(Duration.ofMinutes(2)), "the producer ends by itself");
                summary = producer.summary();
            } finally {
                broker.startAgain();
            }
            long onTopic = KafkaTopics.endOffsets(broker.bootstrapServers(), "lost");
            assertTrue(summary.publishedCount() > 0, "what was acknowledged before the broker went counts");
            assertTrue(summary.publishedCount() < RECORDS, "not every record published: " + summary.publishedCount());
            assertTrue(onTopic >= summary.publishedCount(), "every record called published is on the topic: "
                    + onTopic + " on the topic, " + summary.publishedCount() + " called published");
            assertEquals(0, summary.rejectedCount(), "nothing was invalid");
            assertEquals(1, summary.exitCode(), "the input broke off: a non-zero exit");
        }
    }
}
