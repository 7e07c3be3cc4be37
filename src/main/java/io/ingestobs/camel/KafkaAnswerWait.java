package io.ingestobs.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;
import java.util.Map;

/**
 * How long the records a file has in flight may take to be answered by Kafka, as the Kafka component is configured
 * ({@code delivery.timeout.ms}, {@code max.block.ms}): a file that broke off waits that long for its groups in flight
 * before its summary, so that what Kafka still answers is counted, whatever timeouts the user gave the client.
 *
 * <p>The client answers a record within its delivery timeout once {@code send()} returned; a {@code send()} of a
 * later group may itself wait for buffer space (at most {@code max.block.ms}) until earlier batches are answered or
 * expire, hence twice the delivery timeout plus the block.
 */
public record KafkaAnswerWait(Duration deliveryTimeout, Duration maxBlock) {

    public static KafkaAnswerWait of(CamelContext context) {
        return of(context.getComponent("kafka", KafkaComponent.class).getConfiguration());
    }

    static KafkaAnswerWait of(KafkaConfiguration configuration) {
        Map<String, Object> additional = configuration.getAdditionalProperties();
        long delivery = setting(additional, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                configuration.getDeliveryTimeoutMs());
        long block = setting(additional, ProducerConfig.MAX_BLOCK_MS_CONFIG, configuration.getMaxBlockMs());
        return new KafkaAnswerWait(Duration.ofMillis(delivery), Duration.ofMillis(block));
    }

    /** What a file in flight waits for at most. */
    public Duration bound() {
        return deliveryTimeout.multipliedBy(2).plus(maxBlock);
    }

    /** As the client takes it: additional properties over the component's option over the client's default. */
    private static long setting(Map<String, Object> additional, String key, Integer option) {
        Object given = additional == null ? null : additional.get(key);
        if (given != null) {
            return Long.parseLong(given.toString().trim());
        }
        if (option != null) {
            return option;
        }
        return ((Number) ProducerConfig.configDef().defaultValues().get(key)).longValue();
    }
}
