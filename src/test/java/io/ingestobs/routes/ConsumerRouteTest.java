package io.ingestobs.routes;

import io.ingestobs.camel.CommitSender;
import io.ingestobs.camel.DeliveryLedger;
import io.ingestobs.camel.OffsetCommitter;
import io.ingestobs.camel.RecordCommit;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.SyntheticRuns;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/consumer.yaml with routes/loki.yaml and routes/dead-letters.yaml: a consumed batch is handed over and goes
 * to Loki, then its dead letters to the DLQ, on a deliverer thread; its offsets are committed last, on the polling
 * thread before its next poll; its runs count when that commit is acknowledged. A step that fails leaves the
 * offsets uncommitted, counts nothing, and the consumer reads the batch again. Kafka is replaced by camel-kafka's own input
 * (a list of exchanges with its headers and manual commits on a kafka-clients MockConsumer) and a mock DLQ.
 */
class ConsumerRouteTest extends RouteTestSupport {

    private static final TopicPartition P0 = new TopicPartition("ingestion-logs", 0);

    private final List<String> steps = Collections.synchronizedList(new ArrayList<>());
    private final RecordingConsumer consumer = new RecordingConsumer(steps);
    private LokiTestServer loki;

    /** Says when the commit is sent, and answers it at once as the coordinator would. */
    private static final class RecordingConsumer extends MockConsumer<byte[], byte[]> {
        private final List<String> steps;

        RecordingConsumer(List<String> steps) {
            super("earliest");
            this.steps = steps;
            assign(List.of(P0));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             OffsetCommitCallback callback) {
            steps.add("commit " + offsets);
            super.commitAsync(offsets, callback);
        }
    }

    @AfterEach
    void stopLoki() {
        if (loki != null) {
            loki.close();
        }
    }

    private void start(Map<String, String> overrides) throws Exception {
        loki = new LokiTestServer();
        Map<String, String> props = new java.util.HashMap<>(Map.of("loki.url", loki.url(),
                "loki.retry.maxTimeMs", "300", "loki.retry.initialBackoffMs", "20"));
        props.putAll(overrides);
        load(props, "consumer.yaml", "loki.yaml", "dead-letters.yaml");
        AdviceWith.adviceWith(context, "consume-events", a -> a.replaceFromWith("direct:consume"));
        AdviceWith.adviceWith(context, "deliver-batch", a ->
            a.weaveByToUri("direct:loki-push").after().process(e -> steps.add("loki " + loki.entries().size())));
        // the lag route reads the broker on a timer: here only when asked
        AdviceWith.adviceWith(context, "consumer-lag", a -> a.replaceFromWith("direct:lag"));
        AdviceWith.adviceWith(context, "dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        getMockEndpoint("mock:dlq").whenAnyExchangeReceived(e -> steps.add("dlq"));
        context.start();
    }

    private List<Exchange> records(long from, long to, boolean withUnreadable) {
        List<Exchange> records = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            byte[] body = withUnreadable && offset == from + 1 ? "{not json".getBytes(StandardCharsets.UTF_8)
                    : SyntheticRuns.event(SyntheticRuns.run(offset + 1, 10, "run " + offset));
            Exchange record = new DefaultExchange(context);
            record.getMessage().setBody(body);
            record.getMessage().setHeader(KafkaConstants.TOPIC, P0.topic());
            record.getMessage().setHeader(KafkaConstants.PARTITION, P0.partition());
            record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
            record.getMessage().setHeader(KafkaConstants.KEY, "PowerBI");
            record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT,
                    new RecordCommit(consumer, P0, offset, Duration.ofSeconds(5)));
            records.add(record);
        }
        return records;
    }

    /** What the polling thread does before its next poll: commit what was delivered, seek back what failed. */
    private void poll() {
        context.getRegistry().lookupByNameAndType("commitSender", CommitSender.class).beforePoll(consumer);
    }

    /** Sends a batch as camel-kafka does, and waits until its push is settled (on a deliverer thread). */
    private void consumeAndSettle(List<Exchange> batch) throws InterruptedException {
        template.sendBody("direct:consume", batch);
        assertTrue(context.getRegistry().lookupByNameAndType("deliveryLedger", DeliveryLedger.class)
                .awaitSettled(List.of(P0), Duration.ofSeconds(10)), "the batch's push settled");
    }

    @Test
    void lokiThenTheDeadLettersThenTheCommitLastAndTheRunsCountOnceItIsAcknowledged() throws Exception {
        start(Map.of());
        consumeAndSettle(records(0, 5, true));
        assertEquals(List.of("loki 4", "dlq"), steps, "nothing committed from the deliverer thread");
        assertEquals(0, total("ingestion_runs_total"), "nothing counted before the commit is acknowledged");
        poll();

        assertEquals(List.of("loki 4", "dlq", "commit {" + P0 + "=OffsetAndMetadata{offset=5, leaderEpoch=null, "
                + "metadata=''}}"), steps);
        assertEquals(new OffsetAndMetadata(5), consumer.committed(java.util.Set.of(P0)).get(P0));
        assertEquals(4, total("ingestion_runs_total"), "the 4 readable runs, counted on the acknowledgement");
        assertEquals(1, samples("ingestion_dead_letters_total").stream()
                .filter(s -> "unreadable_event".equals(s.labels().get("reason"))).mapToDouble(s -> s.value()).sum());

        // the same records delivered again (a rebalance before the commit, say): Loki dedupes, nothing counts twice
        steps.clear();
        consumeAndSettle(records(0, 5, true));
        poll();
        assertEquals(4, total("ingestion_runs_total"));
        assertEquals(1, samples("ingestion_dead_letters_total").stream()
                .mapToDouble(s -> s.value()).sum(), "a redelivered dead letter goes to the DLQ, counted once");
    }

    @Test
    void whenLokiCannotTakeTheBatchNothingIsSentToTheDlqCommittedOrCountedAndItIsReadAgain() throws Exception {
        start(Map.of());
        loki.downFor(Duration.ofMinutes(1), 503);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(0);

        consumeAndSettle(records(0, 5, true));
        poll();

        assertEquals(List.of(), steps, "no step after the failed Loki push, no commit");
        assertEquals(null, consumer.committed(java.util.Set.of(P0)).get(P0));
        assertEquals(0, consumer.position(P0), "sought back to the failed batch's first offset");
        assertEquals(0, total("ingestion_runs_total"));
        // what camel-kafka holds after it is refused: it then reads again from the committed offsets
        Exception refused = assertThrows(Exception.class,
                () -> template.sendBody("direct:consume", records(5, 10, false)));
        assertTrue(refused.getCause() instanceof OffsetCommitter.EarlierBatchNotDeliveredException,
                refused.toString());
        assertEquals(List.of(), steps);
        dlq.assertIsSatisfied();
    }

    @Test
    void whenTheDlqCannotTakeALetterTheBatchIsNotCommitted() throws Exception {
        start(Map.of());
        getMockEndpoint("mock:dlq").whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("DLQ topic unreachable (test)");
        });

        consumeAndSettle(records(0, 5, true));
        poll();

        assertEquals(List.of("loki 4"), steps, "Loki took the runs; the DLQ failed; no commit");
        assertEquals(null, consumer.committed(java.util.Set.of(P0)).get(P0));
        assertEquals(0, total("ingestion_runs_total"), "nothing counted: the batch comes again");
        assertEquals(0, total("ingestion_dead_letters_total"));
    }
}
