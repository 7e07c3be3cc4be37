package io.ingestobs.faults;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.KafkaTopics;
import io.ingestobs.testsupport.LogCapture;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker goes away while a file of {@code INPUT_DIR} is being published, several groups in flight: the file ends
 * with an error and is not remembered in {@code INPUT_STATE_FILE} (nor while it is being published: a process killed
 * then must find it not done); once the broker is back, the file is published again from its start and completely,
 * by the same process at its next poll or by the next process, remembered once, and never published again.
 */
class InputDirBrokerLossTest {

    private static final int RECORDS = 300_000;
    private static final String TOPIC = "dirloss";
    private static final Pattern OBJET_ID = Pattern.compile("\"objet\":\\{\"id\":(\\d+)");

    private final LogCapture capture = new LogCapture("ingestion.producer", Level.ERROR);
    private final List<String> errors = capture.messages();

    @BeforeEach
    void captureErrors() {
        capture.start();
    }

    @AfterEach
    void releaseErrors() {
        capture.stop();
    }

    @Test
    void aFileCutOffByTheBrokerIsPublishedAgainWholeOnceItIsBackAndRememberedOnce(@TempDir Path dir)
            throws Exception {
        Export export = Export.staged(dir);
        try (EmbeddedKafkaBroker broker = brokerWithTopics()) {
            Map<String, String> props = props(dir, export);

            long publishedBeforeTheLoss;
            boolean endedWithAnError;
            try (PipelineApp first = startProducer(broker, props)) {
                NotifyBuilder done = onTheFile(first.context()).whenDone(1).create();
                NotifyBuilder failed = onTheFile(first.context()).whenFailed(1).create();
                export.dropAndAwaitPublishing(broker);
                // what a process killed now (SIGKILL, OOM) would find at its next start
                assertEquals(0, export.timesRemembered(), "a file being published is not yet in INPUT_STATE_FILE: "
                        + export.remembered());
                broker.stop();
                assertTrue(done.matches(60, TimeUnit.SECONDS), "the file gone through, as far as it could go");
                endedWithAnError = failed.matches(5, TimeUnit.SECONDS);
                publishedBeforeTheLoss = first.summary().publishedCount();
                assertTrue(publishedBeforeTheLoss > 0 && publishedBeforeTheLoss < RECORDS,
                        "the broker went mid-file: " + publishedBeforeTheLoss + " acknowledged of " + RECORDS);
            }
            // stopped while the broker is still away: the file is not remembered as done
            assertEquals(0, export.timesRemembered(), "a file cut off is not in INPUT_STATE_FILE: "
                    + export.remembered());
            assertTrue(endedWithAnError, "the file ends with an error");

            broker.startAgain();
            long onTopicBefore = KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC);
            assertTrue(onTopicBefore >= publishedBeforeTheLoss, "what was acknowledged is on the topic: "
                    + onTopicBefore + " < " + publishedBeforeTheLoss);
            try (PipelineApp second = startProducer(broker, props)) {
                // created before the directory's first poll (a second after the start)
                NotifyBuilder done = onTheFile(second.context()).whenDone(1).create();
                NotifyBuilder completed = onTheFile(second.context()).whenCompleted(1).create();
                assertTrue(done.matches(60, TimeUnit.SECONDS), "the file gone through again");
                assertTrue(completed.matches(5, TimeUnit.SECONDS), "the file published without an error");
                assertEquals(1, export.timesRemembered(), "the file remembered once: " + export.remembered());
                assertEquals(RECORDS, second.summary().publishedCount(), "the whole file, once, from its start");
                assertEquals(0, second.summary().rejectedCount());
            }
            long onTopic = KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC);
            assertEquals(onTopicBefore + RECORDS, onTopic, "the restarted producer published the file once more, "
                    + "from its start");
            assertEveryRecordOnTheTopic(broker, onTopic);

            try (PipelineApp third = startProducer(broker, props)) {
                // past the directory's poll delay and the read lock's minimum age
                Thread.sleep(4000);
                assertEquals(0, third.summary().readCount(), "a further start publishes nothing more");
            }
            assertEquals(onTopic, KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC), "nothing more on the topic");
            assertEquals(1, export.timesRemembered(), export.remembered());
        }
    }

    @Test
    void aFileCutOffByTheBrokerIsPublishedAgainWholeByTheSameProcessOnceTheBrokerIsBack(@TempDir Path dir)
            throws Exception {
        Export export = Export.staged(dir);
        try (EmbeddedKafkaBroker broker = brokerWithTopics()) {
            try (PipelineApp app = startProducer(broker, props(dir, export))) {
                NotifyBuilder failed = onTheFile(app.context()).whenFailed(1).create();
                NotifyBuilder completed = onTheFile(app.context()).whenCompleted(1).create();
                export.dropAndAwaitPublishing(broker);
                broker.stop();
                assertTrue(failed.matches(60, TimeUnit.SECONDS), "the file ends with an error");
                // the operator is told which file and why, not Camel's split wrapper around the reason
                assertTrue(errors.stream().anyMatch(e -> e.startsWith("export.jsonl was not published whole")
                        && !e.contains("Multicast processing failed")), "the file's failure logged with its reason: "
                        + errors);
                long publishedBeforeTheLoss = app.summary().publishedCount();
                assertTrue(publishedBeforeTheLoss > 0 && publishedBeforeTheLoss < RECORDS,
                        "the broker went mid-file: " + publishedBeforeTheLoss + " acknowledged of " + RECORDS);
                assertFalse(completed.matches(), "no pass went through while it was away");

                broker.startAgain();
                // the directory is polled again every second: the file, not remembered, is taken up again
                assertTrue(completed.matches(60, TimeUnit.SECONDS), "the file published once the broker is back");
                assertEquals(1, export.timesRemembered(), "the file remembered once: " + export.remembered());
                long onTopic = KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC);
                assertEveryRecordOnTheTopic(broker, onTopic);
                // past two more polls of the directory
                Thread.sleep(3000);
                assertEquals(onTopic, KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC),
                        "a further poll publishes nothing more");
                assertEquals(1, export.timesRemembered(), export.remembered());
            }
        }
    }

    /** The directory watched, the state file, and the export staged beside them, not yet dropped in. */
    private record Export(Path in, Path state, Path staged, String key) {

        static Export staged(Path dir) throws IOException {
            Path staged = dir.resolve("export.jsonl");
            try (BufferedWriter out = Files.newBufferedWriter(staged, StandardCharsets.UTF_8)) {
                for (int i = 0; i < RECORDS; i++) {
                    out.write("{\"id\":" + i + ",\"Source\":\"S" + (i % 7) + "\",\"Objet\":\"o" + (i % 100)
                            + "\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:00:00.000\"}\n");
                }
            }
            // the route's idempotent key: the file's name and size
            return new Export(Files.createDirectories(dir.resolve("in")), dir.resolve("state/ingested.txt"), staged,
                    "export.jsonl-" + Files.size(staged));
        }

        /** Moved in whole, as a user's {@code mv} does; returns once part of it is on the topic. */
        void dropAndAwaitPublishing(EmbeddedKafkaBroker broker) throws IOException, InterruptedException {
            Files.move(staged, in.resolve("export.jsonl"), StandardCopyOption.ATOMIC_MOVE);
            Await.until("the file being published",
                    () -> KafkaTopics.endOffsets(broker.bootstrapServers(), TOPIC) > 20_000);
        }

        long timesRemembered() {
            return remembered().lines().filter(key::equals).count();
        }

        String remembered() {
            try {
                return Files.exists(state) ? Files.readString(state) : "";
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static EmbeddedKafkaBroker brokerWithTopics() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
        try {
            broker.createTopics(3, TOPIC, TOPIC + ".dlq");
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** A new process of the producer, on a management port of its own. */
    private static PipelineApp startProducer(EmbeddedKafkaBroker broker, Map<String, String> props) throws Exception {
        props.put("camel.management.port", Integer.toString(EmbeddedKafkaBroker.freePort()));
        return PipelineApp.start(Role.ALL, broker.bootstrapServers(), props, Duration.ofMinutes(1));
    }

    private static Map<String, String> props(Path dir, Export export) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put("kafka.topic", TOPIC);
        props.put("kafka.dlqTopic", TOPIC + ".dlq");
        // LOGS_FILE_PATH, read at each start, adds nothing to the topic
        props.put("input.file", Files.writeString(dir.resolve("empty.json"), "[]").toString());
        props.put("input.dir", export.in().toString());
        props.put("input.dirEnabled", "true");
        props.put("input.stateFile", export.state().toString());
        // the producer alone: nothing of the consumer is under test
        props.put("consumer.enabled", "false");
        // a broker that does not answer is given up on in seconds, not the client's default two minutes
        props.put("camel.component.kafka.maxBlockMs", "3000");
        props.put("camel.component.kafka.requestTimeoutMs", "2000");
        props.put("camel.component.kafka.deliveryTimeoutMs", "5000");
        return props;
    }

    /** Each record of the file, by its id, at least once on the topic, and nothing else. */
    private static void assertEveryRecordOnTheTopic(EmbeddedKafkaBroker broker, long onTopic) {
        BitSet ids = new BitSet(RECORDS);
        for (KafkaTopics.Located record : KafkaTopics.readLocated(broker.bootstrapServers(), TOPIC, (int) onTopic)) {
            Matcher id = OBJET_ID.matcher(record.value());
            assertTrue(id.find(), record.value());
            ids.set(Integer.parseInt(id.group(1)));
        }
        assertEquals(RECORDS, ids.cardinality(), "every record of the file is on the topic");
        assertEquals(RECORDS, ids.length(), "and nothing else");
    }

    /** Notifications on the file's own exchange, not one of its groups (split and wire-tapped copies of it). */
    private static NotifyBuilder onTheFile(CamelContext context) {
        return new NotifyBuilder(context).fromRoute("watch-input-dir")
                .filter(e -> e.getProperty(ExchangePropertyKey.SPLIT_INDEX) == null);
    }
}
