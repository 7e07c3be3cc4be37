package io.ingestobs.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.List;

/**
 * One event of a group, as an item of the list body camel-kafka sends: body = the event's bytes, header
 * {@link KafkaConstants#KEY} = the source. camel-kafka gives a {@code Message} item its own key and writes what the
 * broker answered for it back into it: the record's metadata as header {@link KafkaConstants#KAFKA_RECORD_META}, a
 * failure on {@link #getExchange()}.
 * <p>
 * Why not a plain {@link DefaultMessage} or an exchange per event: those keep their headers in Camel's
 * case-insensitive map, and looking up, setting and removing the few headers camel-kafka asks every item for was
 * most of the producer's Camel cost per record (docs/benchmark.md, issue 13). This message holds the two headers it
 * carries in fields, and makes an exchange only for an event the broker refused, where camel-kafka puts the
 * exception. Any other header goes to the ordinary map.
 */
final class OutgoingEvent extends DefaultMessage {

    private final String key;
    private volatile List<?> metadata;
    private volatile Exchange failure;
    /** Whether a header other than the two held in fields was ever set (Camel's map is then made and asked). */
    private boolean otherHeaders;

    OutgoingEvent(CamelContext context, String key, byte[] event) {
        super(context);
        this.key = key;
        setBody(event);
    }

    String key() {
        return key;
    }

    byte[] event() {
        return (byte[]) getBody();
    }

    /** What the broker refused this event with; null if it did not (or has not answered). */
    Exception error() {
        Exchange refused = failure;
        return refused == null ? null : refused.getException();
    }

    /** Whether the broker acknowledged the event: its record's metadata came back, with no error. */
    boolean acknowledged() {
        List<?> answer = metadata;
        return error() == null && answer != null && !answer.isEmpty() && answer.get(0) instanceof RecordMetadata;
    }

    /** Where camel-kafka puts the broker's refusal of this event (only ever asked for when there is one). */
    @Override
    public synchronized Exchange getExchange() {
        if (failure == null) {
            failure = new DefaultExchange(getCamelContext());
        }
        return failure;
    }

    @Override
    public Object getHeader(String name) {
        if (KafkaConstants.KEY.equals(name)) {
            return key;
        }
        if (KafkaConstants.KAFKA_RECORD_META.equals(name)) {
            return metadata;
        }
        return otherHeaders ? super.getHeader(name) : null;
    }

    @Override
    public <T> T getHeader(String name, Class<T> type) {
        Object value = getHeader(name);
        if (value == null) {
            return null;
        }
        return type.isInstance(value) ? type.cast(value)
                : getCamelContext().getTypeConverter().convertTo(type, value);
    }

    @Override
    public void setHeader(String name, Object value) {
        if (KafkaConstants.KAFKA_RECORD_META.equals(name)) {
            metadata = (List<?>) value;
        } else if (KafkaConstants.KEY.equals(name)) {
            throw new UnsupportedOperationException("an outgoing event's key is fixed: " + key);
        } else {
            otherHeaders = true;
            super.setHeader(name, value);
        }
    }

    @Override
    public Object removeHeader(String name) {
        if (KafkaConstants.KEY.equals(name) || KafkaConstants.KAFKA_RECORD_META.equals(name)) {
            throw new UnsupportedOperationException("an outgoing event keeps its " + name);
        }
        return otherHeaders ? super.removeHeader(name) : null;
    }
}
