package io.ingestobs.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.KafkaProducer;
import org.apache.camel.component.kafka.producer.support.DelegatingCallback;
import org.apache.camel.component.kafka.producer.support.KafkaProducerCallBack;
import org.apache.camel.component.kafka.producer.support.KafkaProducerMetadataCallBack;
import org.apache.camel.component.kafka.producer.support.KeyValueHolderIterator;
import org.apache.camel.component.kafka.producer.support.PropagatedHeadersProvider;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.util.KeyValueHolder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The events of a group go to camel-kafka as {@link OutgoingEvent} messages: camel-kafka's own record building and
 * callbacks (4.18, the classes its producer uses for a list body) must take the key from it and write each answer
 * back into it, so that a record counts as published only once the broker acknowledged it, and a refused one is
 * known with its exception.
 */
class OutgoingEventTest {

    private static final TopicPartition PARTITION = new TopicPartition("ingestion-logs", 0);

    @Test
    void camelKafkaSendsEachEventWithItsSourceAsKeyAndTheCarriersHeaders() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            KafkaEndpoint endpoint = context.getEndpoint(
                    "kafka:ingestion-logs?valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                            + "&recordMetadata=true", KafkaEndpoint.class);
            KafkaConfiguration configuration = endpoint.getConfiguration();
            KafkaProducer producer = (KafkaProducer) endpoint.createProducer();
            Exchange carrier = new DefaultExchange(context);
            carrier.getMessage().setHeader("ingestionFile", "/data/runs.jsonl");
            byte[] first = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
            byte[] second = "{\"b\":2}".getBytes(StandardCharsets.UTF_8);
            List<Object> events = List.of(new OutgoingEvent(context, "PowerBI", first),
                    new OutgoingEvent(context, "zohobooks", second));
            KeyValueHolderIterator records = new KeyValueHolderIterator(events.iterator(), carrier, configuration,
                    "ingestion-logs", new PropagatedHeadersProvider(producer, configuration, carrier,
                    carrier.getMessage()));
            List<ProducerRecord<Object, Object>> sent = new ArrayList<>();
            while (records.hasNext()) {
                KeyValueHolder<Object, ProducerRecord<Object, Object>> record = records.next();
                assertTrue(events.contains(record.getKey()), "the answer goes back to the event itself");
                sent.add(record.getValue());
            }
            assertEquals(List.of("PowerBI", "zohobooks"), sent.stream().map(ProducerRecord::key).toList());
            assertArrayEquals(first, (byte[]) sent.get(0).value());
            assertArrayEquals(second, (byte[]) sent.get(1).value());
            assertEquals("ingestion-logs", sent.get(0).topic());
            assertNull(sent.get(0).partition(), "partitioned by key");
            assertEquals("/data/runs.jsonl", new String(sent.get(0).headers().lastHeader("ingestionFile").value(),
                    StandardCharsets.UTF_8), "the carrier's headers, as camel-kafka propagates them for a list body");
        }
    }

    @Test
    void onlyAnAcknowledgedEventCountsAndARefusedOneKeepsItsException() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            OutgoingEvent acknowledged = new OutgoingEvent(context, "PowerBI", new byte[] {1});
            OutgoingEvent refused = new OutgoingEvent(context, "Efficy", new byte[] {2});
            OutgoingEvent unanswered = new OutgoingEvent(context, "zohobooks", new byte[] {3});
            Exchange carrier = new DefaultExchange(context);
            KafkaProducerCallBack group = new KafkaProducerCallBack(carrier, done -> { }, pool, true);
            // as camel-kafka's doSend wires them: the event's own callback first, then the group's
            group.increment();
            new DelegatingCallback(new KafkaProducerMetadataCallBack(acknowledged, true), group)
                    .onCompletion(new RecordMetadata(PARTITION, 41, 0, 0L, 7, 1), null);
            RecordTooLargeException tooLarge = new RecordTooLargeException("The message is 2000000 bytes");
            group.increment();
            // Kafka answers a failed send with metadata that has no offset, and the exception
            new DelegatingCallback(new KafkaProducerMetadataCallBack(refused, true), group)
                    .onCompletion(new RecordMetadata(PARTITION, -1, -1, -1L, -1, -1), tooLarge);

            assertTrue(acknowledged.acknowledged());
            assertNull(acknowledged.error());
            assertFalse(refused.acknowledged());
            assertInstanceOf(RecordTooLargeException.class, refused.error());
            assertTrue(OutgoingBatch.refusedForItsSize(refused.error()));
            assertFalse(unanswered.acknowledged(), "no answer is not an acknowledgement");
            assertNull(unanswered.error());
            assertEquals(tooLarge, carrier.getException(), "the carrier knows the group had a failure");
            assertEquals("Efficy", refused.getHeader(org.apache.camel.component.kafka.KafkaConstants.KEY));
        } finally {
            pool.shutdownNow();
        }
    }
}
