package io.ingestobs.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/producer.yaml with groups in flight (PRODUCER_GROUPS_IN_FLIGHT): the next group is sent while the ones
 * before it await the broker's answer, no more than the bound at once; nothing counts before its acknowledgement;
 * answers are gone through in file order whatever order they come in (counts, dead letters); each source's events
 * reach the client in file order; groups that fail while others are in flight end the file with errors, never with
 * success, and the summary comes only once every group in flight has been answered for.
 * <p>
 * camel-kafka's endpoint is replaced by {@link HeldKafka}, an async processor that answers only when the test says so
 * (from a thread of its own, as camel-kafka's worker pool does).
 */
class ProducerGroupsInFlightTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MS = 10_000;

    /** One group camel-kafka was given and has not answered for yet. */
    private record Held(Exchange exchange, List<Message> events, AsyncCallback callback) {
    }

    /** Stands for camel-kafka's async producer: takes the group's events, answers when told to. */
    static final class HeldKafka extends AsyncProcessorSupport {
        private final List<Held> groups = new CopyOnWriteArrayList<>();
        private final List<Message> sent = new CopyOnWriteArrayList<>();

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            List<Message> events = new ArrayList<>();
            Iterator<?> body = (Iterator<?>) exchange.getMessage().getBody();
            body.forEachRemaining(e -> events.add((Message) e));
            sent.addAll(events);
            groups.add(new Held(exchange, events, callback));
            return false;
        }

        /** Groups given so far, answered or not. */
        int given() {
            return groups.size();
        }

        /** Acknowledges every event of group {@code n} (0 = the file's first). */
        void acknowledge(int n) {
            Held group = groups.get(n);
            long offset = 0;
            for (Message event : group.events()) {
                event.setHeader(KafkaConstants.KAFKA_RECORD_META,
                        List.of(new RecordMetadata(new TopicPartition("t", 0), offset++, 0, 0L, 1, 1)));
            }
            new Thread(() -> group.callback().done(false)).start();
        }

        /** Fails every event of group {@code n}, as a broker gone away does once the delivery timeout is over. */
        void fail(int n) {
            Held group = groups.get(n);
            for (Message event : group.events()) {
                TimeoutException expired = new TimeoutException("Expiring 1 record(s) for t-0: delivery timeout (test)");
                event.getExchange().setException(expired);
                event.setHeader(KafkaConstants.KAFKA_RECORD_META,
                        List.of(new RecordMetadata(new TopicPartition("t", 0), -1, -1, -1L, -1, -1)));
                group.exchange().setException(expired);
            }
            new Thread(() -> group.callback().done(false)).start();
        }
    }

    private static String run(int id, String source, String debut) {
        return "{\"id\":" + id + ",\"Source\":\"" + source + "\",\"Objet\":\"o" + id + "\",\"Etat\":\"SUCCESS\","
                + "\"Debut\":\"" + debut + "\",\"Fin\":\"2025-09-15 10:30:00.000\"}";
    }

    /**
     * Seven lines, groups of two: [1 2] [3 4] [5 6] [7]; line 4 has a bad timestamp, line 6 lacks its Source. Sources
     * alternate, so each source's order spans the groups.
     */
    private HeldKafka start(int groupsInFlight) throws Exception {
        Path file = temp.resolve("runs.jsonl");
        Files.writeString(file, String.join("\n",
                run(1, "A", "2025-09-15 10:29:00.000"),
                run(2, "B", "2025-09-15 10:29:00.000"),
                run(3, "A", "2025-09-15 10:29:01.000"),
                run(4, "B", "15/09/2025 10h"),
                run(5, "A", "2025-09-15 10:29:02.000"),
                "{\"id\":6,\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:30:00\"}",
                run(7, "B", "2025-09-15 10:29:03.000")) + "\n");
        load(Map.of("input.file", file.toString(), "producer.batchRecords", "2",
                "producer.groupsInFlight", Integer.toString(groupsInFlight)), "producer.yaml", "dead-letters.yaml");
        HeldKafka kafka = new HeldKafka();
        AdviceWith.adviceWith(context, "publish-group", a -> a.weaveByToUri("kafka:*").replace().process(kafka));
        AdviceWith.adviceWith(context, "dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        return kafka;
    }

    private NotifyBuilder fileDone() {
        return new NotifyBuilder(context).fromRoute("read-input")
                .filter(e -> e.getProperty(Exchange.SPLIT_INDEX) == null).whenDone(1).create();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void theNextGroupGoesWhileTheLastAwaitsItsAcksAndNothingCountsBeforeItsAck() throws Exception {
        HeldKafka kafka = start(2);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(2);
        NotifyBuilder fileDone = fileDone();
        context.start();

        // the second group is sent while the first is unanswered: no stop-and-wait per group
        await("two groups given to camel-kafka, neither answered", () -> kafka.given() == 2);
        // and no more than two: the bound holds while they wait
        Thread.sleep(300);
        assertEquals(2, kafka.given(), "a third group went while two were unanswered");
        // the live count (the summary's is the file's, added at its end)
        assertEquals(0, total("ingestion_records_published_total"), "nothing counts before its acknowledgement");
        assertFalse(fileDone.matches(0, TimeUnit.MILLISECONDS), "no summary while groups are in flight");

        // the second group's answer comes first: it is gone through only after the first's (file order)
        kafka.acknowledge(1);
        Thread.sleep(300);
        assertEquals(0, total("ingestion_records_published_total"),
                "the second group counted before the first was answered");
        assertEquals(0, dlq.getReceivedCounter(), "a dead letter of the second group before the first's answer");
        kafka.acknowledge(0);
        await("the first two groups counted", () -> total("ingestion_records_published_total") == 3);
        await("the third group given", () -> kafka.given() >= 3);
        kafka.acknowledge(2);
        await("the fourth group given", () -> kafka.given() == 4);
        assertFalse(fileDone.matches(200, TimeUnit.MILLISECONDS), "the summary came before the last group's answer");
        kafka.acknowledge(3);

        assertTrue(fileDone.matches(WAIT_MS, TimeUnit.MILLISECONDS), "the file is done once all are answered");
        MockEndpoint.assertIsSatisfied(dlq);
        // each source's events reached the client in file order, across the groups
        assertEquals(List.of("A:1", "B:2", "A:3", "A:5", "B:7"), kafka.sent.stream()
                .map(e -> e.getHeader(KafkaConstants.KEY, String.class) + ":" + id(e)).toList());
        assertEquals(List.of("line 4", "line 6"), dlq.getExchanges().stream()
                .map(e -> field(e.getMessage().getBody(byte[].class), "position")).toList());
        assertEquals(7, summary.readCount());
        assertEquals(5, summary.publishedCount());
        assertEquals(2, summary.rejectedCount());
        assertEquals(0, summary.exitCode());
    }

    @Test
    void groupsFailingWhileInFlightEndTheFileWithErrorsNotSuccess() throws Exception {
        HeldKafka kafka = start(2);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        NotifyBuilder fileDone = fileDone();
        context.start();

        await("two groups in flight", () -> kafka.given() == 2);
        // the broker went away: both groups in flight expire, the second answered first
        kafka.fail(1);
        kafka.fail(0);

        assertTrue(fileDone.matches(WAIT_MS, TimeUnit.MILLISECONDS), "the file ends");
        Thread.sleep(300);
        assertEquals(2, kafka.given(), "no group is sent after a failed one");
        assertEquals(0, summary.publishedCount(), "nothing was acknowledged");
        assertEquals(0, total("ingestion_records_published_total"));
        assertEquals(1, summary.exitCode(), "a file broken off is an error, not a success");
        assertEquals(0, dlq.getReceivedCounter(), "the failed groups' dead letters are not sent as if done");
    }

    @Test
    void aGroupAcknowledgedAfterAFailedOneCountsAndTheFileStillFails() throws Exception {
        HeldKafka kafka = start(2);
        NotifyBuilder fileDone = fileDone();
        context.start();

        await("two groups in flight", () -> kafka.given() == 2);
        kafka.acknowledge(1);
        kafka.fail(0);

        assertTrue(fileDone.matches(WAIT_MS, TimeUnit.MILLISECONDS), "the file ends");
        assertEquals(2, kafka.given(), "no group is sent after a failed one");
        // the second group's one valid run is on the topic: it counts, and only it
        assertEquals(1, summary.publishedCount());
        assertEquals(1, summary.exitCode());
    }

    private static String id(Message event) {
        return field(event.getBody(byte[].class), "objet.id");
    }

    private static String field(byte[] json, String path) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(json);
            for (String part : path.split("\\.")) {
                node = node.get(part);
            }
            return node.asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
