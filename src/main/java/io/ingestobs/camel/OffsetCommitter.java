package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Commits, for each partition of a delivered batch, the offset after its last record. Called last in the
 * consumer route: a failure anywhere before leaves the offsets where they were, and Kafka delivers again.
 */
public final class OffsetCommitter {

    public void commit(ConsumedBatch batch) {
        Collection<KafkaManualCommit> commits = batch.getCommits().values();
        if (commits.size() > 1 && commitTogether(commits)) {
            return;
        }
        for (KafkaManualCommit commit : commits) {
            commit.commit();
        }
    }

    /**
     * The same offsets as one {@code commit()} per partition, in one synchronous request instead of one round trip
     * to the group coordinator per partition. Only for Camel's synchronous commits of one consumer without an
     * offset repository (what the consumer route uses); anything else is committed one partition at a time.
     * Runs on the consumer's own polling thread, as the route's processors do.
     */
    private static boolean commitTogether(Collection<KafkaManualCommit> commits) {
        Consumer<?, ?> consumer = null;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        long timeoutMs = 0;
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
            timeoutMs = Math.max(timeoutMs, sync.getCommitTimeout());
        }
        consumer.commitSync(offsets, Duration.ofMillis(timeoutMs));
        return true;
    }
}
