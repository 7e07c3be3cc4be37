package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Commits, for each partition of a delivered batch, the offset after its last record. Called last in the
 * consumer route: a failure anywhere before leaves the offsets where they were, and Kafka delivers again.
 */
public final class OffsetCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    public void commit(ConsumedBatch batch) {
        Collection<KafkaManualCommit> commits = batch.getCommits().values();
        if (!commits.isEmpty() && commitTogether(commits)) {
            return;
        }
        for (KafkaManualCommit commit : commits) {
            commit.commit();
        }
    }

    /**
     * The same offsets as one {@code commit()} per partition, in one request instead of one round trip to the
     * group coordinator per partition, and without waiting for its answer: the consumer thread goes on with the
     * next batch while the coordinator writes the offsets (waiting for it was a fifth of that thread's time). These
     * offsets are of records already in Loki or in the DLQ, so a commit that fails or is lost in a crash only
     * means they are delivered again (at-least-once, as before); the client keeps async commits in order, the next
     * batch's commit supersedes a failed one, and closing the consumer waits for those in flight. Only for Camel's
     * synchronous commits of one consumer without an offset repository (what the consumer route uses); anything
     * else is committed one partition at a time, synchronously. Runs on the consumer's own polling thread, as the
     * route's processors do.
     */
    private static boolean commitTogether(Collection<KafkaManualCommit> commits) {
        Consumer<?, ?> consumer = null;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (KafkaManualCommit commit : commits) {
            if (commit.getClass() != DefaultKafkaManualSyncCommit.class) {
                return false;
            }
            DefaultKafkaManualSyncCommit sync = (DefaultKafkaManualSyncCommit) commit;
            Consumer<?, ?> owner = sync.getCamelExchangePayload().consumer;
            if (owner == null || (consumer != null && owner != consumer)
                    || sync.getCamelExchangePayload().offsetRepository != null) {
                return false;
            }
            consumer = owner;
            offsets.put(sync.getPartition(), new OffsetAndMetadata(sync.getRecordOffset() + 1));
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                LOG.warn("Offsets {} not committed ({}); they are delivered again unless a later commit covers them",
                        committed, error.toString());
            }
        });
        return true;
    }
}
