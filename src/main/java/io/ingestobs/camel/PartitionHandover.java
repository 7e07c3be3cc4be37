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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;

/**
 * Runs before camel-kafka's own rebalance listener when partitions leave a consumer (a rebalance, a scale-out,
 * this replica stopping): what was delivered is committed synchronously, the commit acknowledged, and its runs
 * counted here, before the next owner may read the partition. The consumer route reads and hands over a batch on
 * the polling thread, so a revocation, which Kafka runs inside {@code poll}, never comes in the middle of that; the
 * pushes of batches handed over are waited for here.
 */
final class PartitionHandover implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionHandover.class);

    private final Consumer<?, ?> consumer;
    private final ConsumerRebalanceListener camelListener;
    private final DeliveryLedger ledger;
    private final CommitSender sender;
    private final CommittedRunCounter counter;
    private final Duration commitTimeout;
    private final Duration inFlightTimeout;
    private final PartitionStateReadBack readBack;
    private final Properties consumerProperties;

    PartitionHandover(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, DeliveryLedger ledger,
                      CommitSender sender, CommittedRunCounter counter,
                      Duration commitTimeout, Duration inFlightTimeout, PartitionStateReadBack readBack,
                      Properties consumerProperties) {
        this.consumer = consumer;
        this.camelListener = camelListener;
        this.ledger = ledger;
        this.sender = sender;
        this.counter = counter;
        this.commitTimeout = commitTimeout;
        this.inFlightTimeout = inFlightTimeout;
        this.readBack = readBack;
        this.consumerProperties = consumerProperties;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        awaitBatchesInFlight(partitions);
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.uncommitted(partitions);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets, commitTimeout);
                counter.count(ledger.committed(offsets));
                LOG.info("Partitions {} handed over at offsets {}, their runs counted", partitions, offsets);
            } catch (KafkaException e) {
                settleWithTheGroup(partitions, e);
            }
        }
        // what is left behind a failed batch (or one still pushing past the wait) was not committed: it is read
        // again from the committed offset, by the next owner or by this consumer when it subscribes again
        int left = ledger.giveUp(partitions);
        if (left > 0) {
            LOG.warn("Partitions {} handed over with {} runs behind a batch not delivered: read again from the "
                    + "committed offsets", partitions, left);
        }
        camelListener.onPartitionsRevoked(partitions);
    }

    /**
     * Batches are pushed to Loki while the next is read: before a partition is committed and handed over, its
     * batches still in flight finish (delivered, or failed and then left uncommitted), within the Loki retry budget.
     */
    private void awaitBatchesInFlight(Collection<TopicPartition> partitions) {
        try {
            if (!ledger.awaitSettled(partitions, inFlightTimeout)) {
                LOG.warn("Partitions {} leave with batches still being pushed after {}: only what was delivered "
                        + "before is committed", partitions, inFlightTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while partitions {} waited for their batches in flight: only what was delivered "
                    + "is committed", partitions);
        }
    }

    /**
     * The commit failed (a rebalance in progress, the coordinator away), but an earlier asynchronous one may have
     * gone through without its answer having been read yet: the group's committed offsets say which runs are
     * committed, and those are counted here. Nobody else can have moved them: a revoked partition is assigned to
     * its next owner only once this returns.
     */
    private void settleWithTheGroup(Collection<TopicPartition> partitions, KafkaException failure) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            consumer.committed(new HashSet<>(partitions), commitTimeout).forEach((partition, offset) -> {
                if (offset != null) {
                    committed.put(partition, offset);
                }
            });
            counter.count(ledger.committed(committed));
            int left = ledger.giveUp(partitions);
            LOG.warn("Partitions {} left without a last commit ({}); runs below the group's offsets {} counted, "
                    + "{} delivered runs above them left to the next owner", partitions, failure.toString(),
                    committed, left);
        } catch (KafkaException e) {
            int left = ledger.giveUp(partitions);
            LOG.warn("Partitions {} left without a last commit ({}) nor an answer on the group's offsets ({}): {} "
                    + "delivered runs left to the next owner", partitions, failure.toString(), e.toString(), left);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // The group already gave them to another member, which may have committed past our runs: neither a commit
        // nor the group's offsets can settle them here. Only the answers to our own commits already sent can: one
        // acknowledged counts its runs here (the other member starts after them), the rest are that member's.
        int runs = ledger.giveUp(partitions);
        if (runs > 0) {
            LOG.warn("Partitions {} lost with {} delivered runs not committed: counted here if a commit already sent "
                    + "is acknowledged, else by their next owner",
                    partitions, runs);
        }
        camelListener.onPartitionsLost(partitions);
    }

    /**
     * The state of the partitions' pairs (newest run, recovery streaks) follows them here: their committed runs are
     * read back, without counting them, before any of their records is processed (this runs inside poll).
     */
    private void restoreState(Collection<TopicPartition> partitions) {
        if (readBack == null || readBack.maxRecords() <= 0) {
            return;
        }
        try {
            readBack.restore(consumerProperties, consumer.committed(new HashSet<>(partitions), commitTimeout));
        } catch (KafkaException e) {
            LOG.warn("Committed offsets of partitions {} not read ({}): the state of their pairs is not read back",
                    partitions, e.toString());
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            LOG.info("Partitions {} assigned: read from their last committed offsets", partitions);
            restoreState(partitions);
        }
        // commits refused while the group was rebalancing (the cooperative protocol keeps partitions through it)
        sender.commitAsync(consumer, ledger.uncommitted(consumer.assignment()));
        camelListener.onPartitionsAssigned(partitions);
    }
}
