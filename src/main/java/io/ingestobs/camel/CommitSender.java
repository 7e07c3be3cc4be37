package io.ingestobs.camel;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Sends the commits of what the {@link DeliveryLedger} says was delivered, asynchronously, on the polling thread of
 * the consumer that owns the partitions (a KafkaConsumer is used by one thread only), and counts their runs when the
 * coordinator acknowledges them. Before each poll, so the last batch of a quiet topic is committed too.
 */
public final class CommitSender {

    private static final Logger LOG = LoggerFactory.getLogger(CommitSender.class);
    private static final int MAX_RETRIES = 5;

    private final DeliveryLedger ledger;
    private final CommittedRunCounter counter;

    public CommitSender(DeliveryLedger ledger, CommittedRunCounter counter) {
        this.ledger = ledger;
        this.counter = counter;
    }

    /**
     * On {@code consumer}'s polling thread, before each poll: a partition whose batch failed is sought back to that
     * batch's first offset, so that even a quiet topic brings the batch back, and with it the refusal that makes
     * camel-kafka read again from the committed offsets ({@link OffsetCommitter#admit}); then the delivered prefixes
     * that moved past what was last sent are committed.
     */
    public void beforePoll(Consumer<?, ?> consumer) {
        Map<TopicPartition, Long> rewind = ledger.rewindTargets(consumer.assignment());
        rewind.forEach(consumer::seek);
        if (!rewind.isEmpty()) {
            LOG.warn("Partitions sought back to the first offset of their batch that was not delivered: {}", rewind);
        }
        commitAsync(consumer, ledger.dueForCommit(consumer.assignment()));
    }

    /**
     * Sends an asynchronous commit of {@code offsets} on {@code consumer} (on its polling thread); its runs count
     * when it is acknowledged. One refused for a passing reason (the coordinator moving, a timeout) is sent again
     * at once, a few times: on a quiet topic no next batch would carry it. One refused because the group is
     * rebalancing is sent again when the rebalance has assigned the partitions ({@link PartitionHandover}).
     */
    void commitAsync(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        commitAsync(consumer, offsets, 0);
    }

    private void commitAsync(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, int retries) {
        if (offsets.isEmpty()) {
            return;
        }
        ledger.sent(offsets);
        consumer.commitAsync(offsets, (committed, error) -> {
            counter.count(ledger.answered(offsets, error == null));
            if (error == null) {
                return;
            }
            if (error instanceof RetriableException && retries < MAX_RETRIES) {
                Set<TopicPartition> owned = new HashSet<>(offsets.keySet());
                owned.retainAll(consumer.assignment());
                commitAsync(consumer, ledger.uncommitted(owned), retries + 1);
            } else {
                LOG.warn("Offsets {} not committed ({}): their runs wait for the next commit, or for the next "
                        + "owner of their partition", offsets, error.toString());
            }
        });
    }
}
