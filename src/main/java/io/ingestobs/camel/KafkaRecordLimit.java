package io.ingestobs.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The largest record Camel's Kafka producer sends ({@code max.request.size}, as the Kafka component is configured)
 * and the size the Kafka client gives a message when it checks it: key, value and the headers Camel propagates,
 * measured by the client's own upper bound. A message over it would fail with {@code RecordTooLargeException}.
 */
public record KafkaRecordLimit(int maxRequestSize, KafkaConfiguration configuration) {

    /**
     * At most what a record's own framing adds to its key and value (length varints, attributes, offset and
     * timestamp deltas, header count): {@link #sizeOf} with no key and an empty value, plus the value's length, plus
     * three bytes per character of the key, plus this, is never below {@link #sizeOf} of the record.
     */
    public static final int RECORD_FRAMING_BYTES = 16;

    public static KafkaRecordLimit of(CamelContext context) {
        KafkaConfiguration configuration = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
        Object additional = configuration.getAdditionalProperties() == null ? null
                : configuration.getAdditionalProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        int max = additional != null ? Integer.parseInt(additional.toString().trim())
                : configuration.getMaxRequestSize() != null ? configuration.getMaxRequestSize()
                : (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return new KafkaRecordLimit(max, configuration);
    }

    /** The size the Kafka client checks against {@code max.request.size} for this message sent with this value. */
    public int sizeOf(Exchange exchange, String key, byte[] value) {
        List<Header> headers = new ArrayList<>();
        for (Map.Entry<String, Object> header : exchange.getMessage().getHeaders().entrySet()) {
            if (configuration.getHeaderFilterStrategy() != null && configuration.getHeaderFilterStrategy()
                    .applyFilterToCamelHeaders(header.getKey(), header.getValue(), exchange)) {
                continue;
            }
            byte[] bytes = configuration.getHeaderSerializer() == null ? null
                    : configuration.getHeaderSerializer().serialize(header.getKey(), header.getValue());
            if (bytes != null) {
                headers.add(new RecordHeader(header.getKey(), bytes));
            }
        }
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, headers.toArray(new Header[0]));
    }

    public boolean fits(Exchange exchange, String key, byte[] value) {
        return sizeOf(exchange, key, value) <= maxRequestSize;
    }
}
