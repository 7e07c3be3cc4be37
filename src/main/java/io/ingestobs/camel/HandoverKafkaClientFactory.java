package io.ingestobs.camel;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * camel-kafka's {@code kafkaClientFactory} of the consumer route: its consumers put {@link PartitionHandover} in
 * front of the rebalance listener camel-kafka subscribes with (camel-kafka takes no listener of ours).
 */
public final class HandoverKafkaClientFactory extends DefaultKafkaClientFactory {

    private final CommittedRunCounter counter;
    private final Duration commitTimeout;

    public HandoverKafkaClientFactory(CommittedRunCounter counter, Duration commitTimeout) {
        this.counter = counter;
        this.commitTimeout = commitTimeout;
    }

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return new HandoverConsumer(kafkaProps);
    }

    private final class HandoverConsumer extends KafkaConsumer<Object, Object> {

        HandoverConsumer(Properties properties) {
            super(properties);
        }

        @Override
        public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
            super.subscribe(topics, new PartitionHandover(this, listener, counter, commitTimeout));
        }

        @Override
        public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
            super.subscribe(pattern, new PartitionHandover(this, listener, counter, commitTimeout));
        }
    }
}
