package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * camel-kafka's {@code kafkaClientFactory} of the consumer route: its consumers put {@link PartitionHandover} in
 * front of the rebalance listener camel-kafka subscribes with (camel-kafka takes no listener of ours). The
 * properties camel-kafka builds for them (bootstrap, security) also serve the {@link PartitionStateReadBack}.
 */
public final class HandoverKafkaClientFactory extends DefaultKafkaClientFactory {

    private final DeliveryLedger ledger;
    private final CommitSender sender;
    private final CommittedRunCounter counter;
    private final Duration commitTimeout;
    private final Duration inFlightTimeout;
    private final PartitionStateReadBack readBack;

    /**
     * With the state of assigned partitions read back into {@code metrics}: at most the last
     * {@code readBackMaxRecords} committed records of each, within {@code readBackTimeout}.
     */
    public HandoverKafkaClientFactory(DeliveryLedger ledger, CommitSender sender, CommittedRunCounter counter,
                                      Duration commitTimeout, Duration inFlightTimeout, RunMetrics metrics,
                                      int readBackMaxRecords, Duration readBackTimeout) {
        this.ledger = ledger;
        this.sender = sender;
        this.counter = counter;
        this.commitTimeout = commitTimeout;
        this.inFlightTimeout = inFlightTimeout;
        this.readBack = metrics == null ? null
                : new PartitionStateReadBack(metrics, counter, readBackMaxRecords, readBackTimeout);
    }

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return new HandoverConsumer(kafkaProps);
    }

    private final class HandoverConsumer extends KafkaConsumer<Object, Object> {

        private final Properties properties;

        HandoverConsumer(Properties properties) {
            super(properties);
            this.properties = properties;
        }

        /**
         * The one place that runs on camel-kafka's polling thread between batches, even when no batch comes: the
         * commits of batches delivered meanwhile on the deliverer threads, and the seek back of a failed one, go
         * out here (a KafkaConsumer is used by one thread only).
         */
        @Override
        public ConsumerRecords<Object, Object> poll(Duration timeout) {
            sender.beforePoll(this);
            return super.poll(timeout);
        }

        @Override
        public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
            super.subscribe(topics, handingOver(listener));
        }

        @Override
        public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
            super.subscribe(pattern, handingOver(listener));
        }

        private PartitionHandover handingOver(ConsumerRebalanceListener camelListener) {
            return new PartitionHandover(this, camelListener, ledger, sender, counter, commitTimeout, inFlightTimeout,
                    readBack, properties);
        }
    }
}
