package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts a run in the metrics only once the group coordinator has acknowledged the commit of its offset: the
 * replica that counts a run is the one whose commit made it nobody else's (SPEC §4, counting once across replicas).
 * Until then the delivered runs wait here, per partition. When a partition leaves this consumer, its waiting runs
 * are committed synchronously first (then counted here); if that cannot be done they are given up, but only once
 * every asynchronous commit already sent for the partition has been answered, since one of those may still be
 * acknowledged (then its runs count here, and the next owner starts after them) or refused (then the next owner
 * reads them again from the last committed offset and counts them).
 * <p>
 * The acknowledgement and the handover arrive on the polling thread of the consumer that owns the partition; with
 * several consumer threads a partition may pass from one to another, hence the lock.
 */
public final class CommittedRunCounter {

    private record Waiting(long nextOffset, List<ConsumedEvent> runs) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(CommittedRunCounter.class);
    private static final int MAX_RETRIES = 5;

    private final RunMetrics metrics;
    /** Per partition, the highest offset counted: a safety net should a committed record ever come again. */
    private final RedeliveryFilter counted = new RedeliveryFilter();
    private final Map<TopicPartition, Deque<Waiting>> waiting = new HashMap<>();
    /** Asynchronous commits sent and not yet answered, per partition. */
    private final Map<TopicPartition, Integer> inFlight = new HashMap<>();
    /** Partitions this consumer no longer owns, whose runs go once their commits in flight are answered. */
    private final Set<TopicPartition> givenUp = new HashSet<>();

    public CommittedRunCounter(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** {@code runs} of {@code partition} are delivered; they count once offsets up to {@code nextOffset} are committed. */
    synchronized void awaitCommit(TopicPartition partition, long nextOffset, List<ConsumedEvent> runs) {
        givenUp.remove(partition);
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

    /** An asynchronous commit of {@code partitions} is sent: its answer comes to {@link #answered}. */
    synchronized void sent(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> inFlight.merge(p, 1, Integer::sum));
    }

    /** The answer to an asynchronous commit: on success its runs count, as with {@link #committed}. */
    void answered(Map<TopicPartition, OffsetAndMetadata> offsets, boolean acknowledged) {
        if (acknowledged) {
            committed(offsets);
        }
        synchronized (this) {
            for (TopicPartition partition : offsets.keySet()) {
                if (inFlight.merge(partition, -1, Integer::sum) <= 0) {
                    inFlight.remove(partition);
                    if (givenUp.remove(partition)) {
                        waiting.remove(partition);
                    }
                }
            }
        }
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

    /**
     * {@code partitions} left this consumer without a commit of their waiting runs: those go (the next owner
     * counts them) once the commits already sent for them are answered. Returns how many runs wait so.
     */
    synchronized int giveUp(Collection<TopicPartition> partitions) {
        int left = 0;
        for (TopicPartition partition : partitions) {
            Deque<Waiting> queue = waiting.get(partition);
            if (queue == null) {
                continue;
            }
            for (Waiting w : queue) {
                left += w.runs().size();
            }
            if (inFlight.containsKey(partition)) {
                givenUp.add(partition);
            } else {
                waiting.remove(partition);
            }
        }
        return left;
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
        sent(offsets.keySet());
        consumer.commitAsync(offsets, (committed, error) -> {
            answered(offsets, error == null);
            if (error == null) {
                return;
            }
            if (error instanceof RetriableException && retries < MAX_RETRIES) {
                Set<TopicPartition> owned = new HashSet<>(offsets.keySet());
                owned.retainAll(consumer.assignment());
                commitAsync(consumer, uncommitted(owned), retries + 1);
            } else {
                LOG.warn("Offsets {} not committed ({}): their runs wait for the next commit, or for the next "
                        + "owner of their partition", offsets, error.toString());
            }
        });
    }

    /** The offset after the newest run of {@code partition} this process counted (0 if none). */
    long countedUpTo(TopicPartition partition) {
        return counted.highest(partition.topic() + "-" + partition.partition()) + 1;
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
