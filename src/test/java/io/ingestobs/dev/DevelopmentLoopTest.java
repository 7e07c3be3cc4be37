package io.ingestobs.dev;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.Scrape;
import io.ingestobs.testsupport.SyntheticRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What a developer relies on day to day: live route edits, and a watched input directory (SPEC §6). */
class DevelopmentLoopTest {

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private static Map<String, String> props(String topic, int port) {
        broker.createTopics(3, topic, topic + ".dlq");
        return new HashMap<>(Map.of("kafka.topic", topic, "kafka.dlqTopic", topic + ".dlq",
                "kafka.groupId", topic + "-group", "camel.management.port", Integer.toString(port),
                "loki.batch.maxWaitMs", "200"));
    }

    @Test
    void aRouteEditedOnDiskTakesEffectLiveAndKeepsCountsAndPosition(@TempDir Path dir) throws Exception {
        Path routes = dir.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        int port = EmbeddedKafkaBroker.freePort();
        Map<String, String> props = props("reload", port);
        props.put("camel.main.routesIncludePattern", "file:" + routes + "/*.yaml");
        props.put("camel.main.routesReloadEnabled", "true");
        props.put("camel.main.routesReloadDirectory", routes.toString());
        props.put("input.file", "logs.json");
        String metrics = "http://127.0.0.1:" + port + "/metrics";
        try (PipelineApp app = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props, Duration.ofMinutes(1))) {
            Await.until("the sample counted", () -> Scrape.total(metrics, "ingestion_runs_total") == 72);

            // a developer adds an audit step to the consumer route and saves the file
            Path consumer = routes.resolve("consumer.yaml");
            // a step of the consumer route itself, once its batch is read (anchored at the line's start: the same
            // text may stand deeper in another route)
            String handOver = "\n        - bean:\n            ref: offsetCommitter\n            method: handOver\n";
            String original = Files.readString(consumer);
            assertTrue(original.contains(handOver), "the consumer route hands its batch over");
            String edited = original.replace(handOver, "\n        - to: direct:reload-audit" + handOver)
                    + "\n- route:\n    id: reload-audit\n    from:\n      uri: direct:reload-audit\n"
                    + "      steps:\n        - log: \"audited a batch of ${body.events.size} events\"\n";
            save(consumer, edited);
            Await.until("the edited route is live", () -> app.context().getRoute("reload-audit") != null);

            SyntheticRuns.publish(broker.bootstrapServers(), "reload", 0, 10, 5);
            Await.until("the new runs counted", () -> Scrape.total(metrics, "ingestion_runs_total") == 82);
            Await.until("the new step ran", () -> Scrape.named(metrics, "camel_exchanges_total").stream()
                    .anyMatch(s -> "reload-audit".equals(s.labels().get("routeId")) && s.value() >= 1));
            // editing the producer's file reloads it, but LOGS_FILE_PATH is read once per process start
            Path producer = routes.resolve("producer.yaml");
            save(producer, Files.readString(producer)
                    .replace("description: Read LOGS_FILE_PATH once per start", "description: edited live"));
            Await.until("the producer route reloaded", () -> app.context().getRoute("read-input") != null
                    && app.context().getRoute("read-input").getDescription().startsWith("edited live"));
            Thread.sleep(3000);
            assertEquals(82, KafkaTopics.endOffsets(broker.bootstrapServers(), "reload"), "the input is not published again by a reload");
            assertEquals(82, Scrape.total(metrics, "ingestion_runs_total"), "counts kept and nothing consumed again from the start");
        }
    }

    @Test
    void eachFileDroppedIntoTheInputDirectoryIsPublishedOnceAcrossRestarts(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path seed = dir.resolve("seed.jsonl");
        Files.write(seed, lines(1000, 1));
        Map<String, String> props = props("dropped", 0);
        props.put("input.file", seed.toString());
        props.put("input.dir", in.toString());
        props.put("input.dirEnabled", "true");
        props.put("input.stateFile", dir.resolve("state/ingested.txt").toString());

        props.put("camel.management.port", Integer.toString(EmbeddedKafkaBroker.freePort()));
        try (PipelineApp first = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                Duration.ofMinutes(1))) {
            Path a = dir.resolve("a.jsonl");
            Files.write(a, lines(0, 5));
            Files.copy(a, in.resolve("a.jsonl"));
            Await.until("a.jsonl published", () -> KafkaTopics.endOffsets(broker.bootstrapServers(), "dropped") == 1 + 5);
            // the same file dropped again, newer
            Files.copy(a, in.resolve("a.jsonl"), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(in.resolve("a.jsonl"), FileTime.from(Instant.now().plusSeconds(5)));
            // a file of several groups of records (PRODUCER_BATCH_RECORDS): once as a whole, never group by group
            Files.write(in.resolve("b.jsonl"), lines(100, 12_003));
            Await.until("b.jsonl published", () -> KafkaTopics.endOffsets(broker.bootstrapServers(), "dropped") == 1 + 5 + 12_003);
            Thread.sleep(3000);
            assertEquals(1 + 5 + 12_003, KafkaTopics.endOffsets(broker.bootstrapServers(), "dropped"), "a.jsonl dropped again is not published again");
        }
        props.put("camel.management.port", Integer.toString(EmbeddedKafkaBroker.freePort()));
        try (PipelineApp second = PipelineApp.start(Role.ALL, broker.bootstrapServers(), props,
                Duration.ofMinutes(1))) {
            Await.until("the seed file published again at start", () -> KafkaTopics.endOffsets(broker.bootstrapServers(), "dropped") == 1 + 5 + 12_003 + 1);
            Thread.sleep(4000);
            assertEquals(1 + 5 + 12_003 + 1, KafkaTopics.endOffsets(broker.bootstrapServers(), "dropped"), "the restarted process publishes no dropped file again");
        }
    }

    /** As an editor saves: the new content appears at once, never an empty file in between. */
    private static void save(Path file, String content) throws java.io.IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> lines(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "{\"id\":" + i + ",\"Source\":\"Efficy\","
                + "\"Objet\":\"o" + i + "\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00.000\"}")
                .collect(Collectors.toList());
    }




}
