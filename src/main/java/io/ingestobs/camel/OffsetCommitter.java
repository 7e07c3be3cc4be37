package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Last step of the consumer route, once Loki and the DLQ took the batch: commits, for each partition of the batch,
 * the offset after its last record, and has its runs counted when the coordinator acknowledges that commit
 * ({@link CommittedRunCounter}). A failure anywhere before leaves the offsets where they were and counts nothing:
 * Kafka delivers the batch again, here or to the next owner, which counts it then.
 */
public final class OffsetCommitter {

    private final CommittedRunCounter counter;

    public OffsetCommitter(CommittedRunCounter counter) {
        this.counter = counter;
    }

    /**
     * One request for the whole batch, without waiting for its answer: the consumer thread goes on with the next
     * batch while the coordinator writes the offsets (waiting was a fifth of that thread's time,
     * docs/benchmark.md). The runs count when the answer comes, on this same thread during a later poll. A failed
     * commit leaves its runs waiting; the next batch's commit carries their partitions again, and a partition
     * that leaves first is committed synchronously by {@link PartitionHandover}.
     */
    public void commit(ConsumedBatch batch) {
        Map<String, List<ConsumedEvent>> runsByPartition = new HashMap<>();
        for (ConsumedEvent run : batch.getEvents()) {
            runsByPartition.computeIfAbsent(run.partition(), p -> new ArrayList<>()).add(run);
        }
        Consumer<?, ?> consumer = null;
        for (Map.Entry<String, KafkaManualCommit> entry : batch.getCommits().entrySet()) {
            List<ConsumedEvent> runs = runsByPartition.getOrDefault(entry.getKey(), List.of());
            if (entry.getValue() instanceof RecordCommit commit && (consumer == null || consumer == commit.consumer())) {
                consumer = commit.consumer();
                counter.awaitCommit(commit.partition(), commit.offset() + 1, runs);
            } else {
                // not read by the consumer route's own factory: commit it the plain way, then count
                entry.getValue().commit();
                counter.countNow(runs);
            }
        }
        if (batch.getCommits().isEmpty()) {
            counter.countNow(batch.getEvents());
        }
        if (consumer == null) {
            return;
        }
        // this batch's partitions, and those whose earlier commit failed: every one with runs waiting
        counter.commitAsync(consumer, counter.uncommitted(consumer.assignment()));
    }
}
