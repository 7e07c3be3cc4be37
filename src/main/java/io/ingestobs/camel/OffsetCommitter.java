package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits, for each partition of a delivered batch, the offset after its last record. Called last in the
 * consumer route: a failure anywhere before leaves the offsets where they were, and Kafka delivers again.
 */
public final class OffsetCommitter {

    public void commit(ConsumedBatch batch) {
        for (KafkaManualCommit commit : batch.getCommits().values()) {
            commit.commit();
        }
    }
}
