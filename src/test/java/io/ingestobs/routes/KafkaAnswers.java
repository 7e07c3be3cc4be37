package io.ingestobs.routes;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands where camel-kafka (async, {@code recordMetadata=true}) is given an iterator of messages, and leaves what it
 * leaves once the broker has answered (its KafkaProducerMetadataCallBack and ProducerUtil, 4.18): each event gets
 * header {@code KAFKA_RECORD_META} (for a refused one, the metadata Kafka gives a failed send: no offset), a refused
 * one its exception on {@code Message.getExchange()}, and the exchange that carried them the last exception.
 */
final class KafkaAnswers {

    private final Function<Message, Exception> refusal;
    private final List<Message> sent = new CopyOnWriteArrayList<>();

    /** @param refusal the exception the broker answers an event with, or null when it acknowledges it */
    KafkaAnswers(Function<Message, Exception> refusal) {
        this.refusal = refusal;
    }

    void answer(Exchange exchange) {
        long offset = 0;
        Iterator<?> events = (Iterator<?>) exchange.getMessage().getBody();
        while (events.hasNext()) {
            Message event = (Message) events.next();
            sent.add(event);
            Exception refused = refusal.apply(event);
            if (refused != null) {
                if (event.getExchange() != null) {
                    event.getExchange().setException(refused);
                }
                event.setHeader(KafkaConstants.KAFKA_RECORD_META,
                        List.of(new RecordMetadata(new TopicPartition("t", 0), -1, -1, -1L, -1, -1)));
                exchange.setException(refused);
            } else {
                event.setHeader(KafkaConstants.KAFKA_RECORD_META,
                        List.of(new RecordMetadata(new TopicPartition("t", 0), offset++, 0, 0L, 1, 1)));
            }
        }
    }

    /** Every event the endpoint was given, in the order it was given them. */
    List<Message> sent() {
        return sent;
    }
}
