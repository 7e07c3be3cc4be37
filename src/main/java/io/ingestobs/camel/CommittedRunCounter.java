package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a run in the metrics only once the group coordinator has acknowledged the commit of its offset: the
 * replica that counts a run is the one whose commit made it nobody else's (SPEC §4, counting once across replicas).
 * Until then the delivered runs wait here, per partition. When a partition leaves this consumer, its waiting runs
 * are either committed synchronously first (then counted here) or, if that commit fails, forgotten: the next owner
 * reads them again from the last committed offset and counts them.
 * <p>
 * The acknowledgement and the handover arrive on the polling thread of the consumer that owns the partition; with
 * several consumer threads a partition may pass from one to another, hence the lock.
 */
public final class CommittedRunCounter {

    private record Waiting(long nextOffset, List<ConsumedEvent> runs) {
    }

    private final RunMetrics metrics;
    /** Per partition, the highest offset counted: a safety net should a committed record ever come again. */
    private final RedeliveryFilter counted = new RedeliveryFilter();
    private final Map<TopicPartition, Deque<Waiting>> waiting = new HashMap<>();

    public CommittedRunCounter(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** {@code runs} of {@code partition} are delivered; they count once offsets up to {@code nextOffset} are committed. */
    synchronized void awaitCommit(TopicPartition partition, long nextOffset, List<ConsumedEvent> runs) {
        waiting.computeIfAbsent(partition, p -> new ArrayDeque<>()).add(new Waiting(nextOffset, runs));
    }

    /** Counts runs that nothing needs to commit (no Kafka consumer behind them). */
    void countNow(List<ConsumedEvent> runs) {
        count(runs);
    }

    /**
     * The offsets to commit for those of {@code partitions} that have runs waiting: the next offset after the
     * newest delivered one. Used to commit again what an earlier, failed commit did not.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Deque<Waiting> queue = waiting.get(partition);
            if (queue != null && !queue.isEmpty()) {
                offsets.put(partition, new OffsetAndMetadata(queue.peekLast().nextOffset()));
            }
        }
        return offsets;
    }

    /** The coordinator acknowledged {@code offsets}: every run waiting below them is counted, once. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        List<ConsumedEvent> due = new ArrayList<>();
        synchronized (this) {
            offsets.forEach((partition, offset) -> {
                Deque<Waiting> queue = waiting.get(partition);
                while (queue != null && !queue.isEmpty() && queue.peekFirst().nextOffset() <= offset.offset()) {
                    due.addAll(queue.pollFirst().runs());
                }
            });
        }
        count(due);
    }

    /** {@code partitions} left without a commit of their waiting runs: the next owner counts those. */
    synchronized int forget(Collection<TopicPartition> partitions) {
        int forgotten = 0;
        for (TopicPartition partition : partitions) {
            Deque<Waiting> queue = waiting.remove(partition);
            if (queue != null) {
                for (Waiting w : queue) {
                    forgotten += w.runs().size();
                }
            }
        }
        return forgotten;
    }

    /** Runs delivered and not yet counted, waiting for their commit. */
    public synchronized int waitingRuns() {
        int runs = 0;
        for (Deque<Waiting> queue : waiting.values()) {
            for (Waiting w : queue) {
                runs += w.runs().size();
            }
        }
        return runs;
    }

    private void count(List<ConsumedEvent> runs) {
        for (ConsumedEvent run : runs) {
            if (counted.firstDelivery(run.partition(), run.offset())) {
                metrics.record(run.event(), run.labels());
            }
        }
    }
}
