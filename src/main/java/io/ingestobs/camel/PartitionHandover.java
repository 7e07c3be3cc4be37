package io.ingestobs.camel;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Runs before camel-kafka's own rebalance listener when partitions leave a consumer (a rebalance, a scale-out,
 * this replica stopping): what was delivered is committed synchronously, the commit acknowledged, and its runs
 * counted here, before the next owner may read the partition. The consumer route processes a batch on the polling
 * thread, so a revocation, which Kafka runs inside {@code poll}, never comes in the middle of one.
 */
final class PartitionHandover implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionHandover.class);

    private final Consumer<?, ?> consumer;
    private final ConsumerRebalanceListener camelListener;
    private final CommittedRunCounter counter;
    private final Duration commitTimeout;

    PartitionHandover(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, CommittedRunCounter counter,
                      Duration commitTimeout) {
        this.consumer = consumer;
        this.camelListener = camelListener;
        this.counter = counter;
        this.commitTimeout = commitTimeout;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = counter.uncommitted(partitions);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets, commitTimeout);
                counter.committed(offsets);
                LOG.info("Partitions {} handed over at offsets {}, their runs counted", partitions, offsets);
            } catch (KafkaException e) {
                int runs = counter.forget(partitions);
                LOG.warn("Partitions {} left without committing {} delivered runs ({}): the next owner reads and "
                        + "counts them", partitions, runs, e.toString());
            }
        }
        camelListener.onPartitionsRevoked(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // the group already gave them to another member: committing now would fail; that member counts them
        int runs = counter.forget(partitions);
        if (runs > 0) {
            LOG.warn("Partitions {} lost with {} delivered runs not committed: their next owner counts them",
                    partitions, runs);
        }
        camelListener.onPartitionsLost(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            LOG.info("Partitions {} assigned: read from their last committed offsets", partitions);
        }
        camelListener.onPartitionsAssigned(partitions);
    }
}
