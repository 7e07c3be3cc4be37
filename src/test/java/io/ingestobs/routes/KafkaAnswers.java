package io.ingestobs.routes;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands where camel-kafka (async, {@code recordMetadata=true}) is given an iterator of exchanges, and leaves what it
 * leaves once the broker has answered: each acknowledged event gets its {@code RecordMetadata}, each refused one its
 * exception, and the exchange that carried them the last exception.
 */
final class KafkaAnswers {

    private final Function<Exchange, Exception> refusal;
    private final List<Exchange> sent = new CopyOnWriteArrayList<>();

    /** @param refusal the exception the broker answers an event with, or null when it acknowledges it */
    KafkaAnswers(Function<Exchange, Exception> refusal) {
        this.refusal = refusal;
    }

    void answer(Exchange exchange) {
        long offset = 0;
        Iterator<?> events = (Iterator<?>) exchange.getMessage().getBody();
        while (events.hasNext()) {
            Exchange event = (Exchange) events.next();
            sent.add(event);
            Exception refused = refusal.apply(event);
            if (refused != null) {
                event.setException(refused);
                exchange.setException(refused);
            } else {
                event.getMessage().setHeader(KafkaConstants.KAFKA_RECORD_META,
                        List.of(new RecordMetadata(new TopicPartition("t", 0), offset++, 0, 0L, 1, 1)));
            }
        }
    }

    /** Every event the endpoint was given, in the order it was given them. */
    List<Exchange> sent() {
        return sent;
    }
}
