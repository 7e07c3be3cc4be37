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

    /** What one partition has waiting. Guarded by the counter's lock. */
    private static final class PartitionRuns {
        /** Runs delivered while this consumer owns the partition, oldest first. */
        final Deque<Waiting> owned = new ArrayDeque<>();
        /** Runs of an ownership that ended: only the answers to commits sent before that may count them. */
        final Deque<Waiting> givenUp = new ArrayDeque<>();
        /** Asynchronous commits sent and not answered yet (answers come in the order commits were sent). */
        int inFlight;
        /** How many of those were sent before the partition was given up. */
        int answersForGivenUp;

        boolean idle() {
            return owned.isEmpty() && givenUp.isEmpty() && inFlight == 0;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CommittedRunCounter.class);
    private static final int MAX_RETRIES = 5;

    private final RunMetrics metrics;
    /** Per partition, the highest offset counted: a safety net should a committed record ever come again. */
    private final RedeliveryFilter counted = new RedeliveryFilter();
    private final Map<TopicPartition, PartitionRuns> partitions = new HashMap<>();

    public CommittedRunCounter(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** {@code runs} of {@code partition} are delivered; they count once offsets up to {@code nextOffset} are committed. */
    synchronized void awaitCommit(TopicPartition partition, long nextOffset, List<ConsumedEvent> runs) {
        partitions.computeIfAbsent(partition, p -> new PartitionRuns()).owned.add(new Waiting(nextOffset, runs));
    }

    /** Counts runs that nothing needs to commit (no Kafka consumer behind them). */
    void countNow(List<ConsumedEvent> runs) {
        count(runs);
    }

    /**
     * The offsets to commit for those of {@code partitions} that have runs waiting: the next offset after the
     * newest delivered one. Used to commit again what an earlier, failed commit did not.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> among) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : among) {
            PartitionRuns runs = partitions.get(partition);
            if (runs != null && !runs.owned.isEmpty()) {
                offsets.put(partition, new OffsetAndMetadata(runs.owned.peekLast().nextOffset()));
            }
        }
        return offsets;
    }

    /** An asynchronous commit of {@code committing} is sent: its answer comes to {@link #answered}. */
    synchronized void sent(Collection<TopicPartition> committing) {
        committing.forEach(p -> partitions.computeIfAbsent(p, k -> new PartitionRuns()).inFlight++);
    }

    /** The answer to an asynchronous commit: on success its runs count, as with {@link #committed}. */
    void answered(Map<TopicPartition, OffsetAndMetadata> offsets, boolean acknowledged) {
        List<ConsumedEvent> due = new ArrayList<>();
        synchronized (this) {
            offsets.forEach((partition, offset) -> {
                PartitionRuns runs = partitions.get(partition);
                if (runs == null) {
                    return;
                }
                runs.inFlight--;
                if (runs.answersForGivenUp > 0) {
                    // sent before the partition left: its runs are the given-up ones, never those delivered since
                    runs.answersForGivenUp--;
                    if (acknowledged) {
                        takeCommitted(runs.givenUp, offset.offset(), due);
                    }
                    if (runs.answersForGivenUp == 0) {
                        runs.givenUp.clear();
                    }
                } else if (acknowledged) {
                    takeCommitted(runs.owned, offset.offset(), due);
                }
                if (runs.idle()) {
                    partitions.remove(partition);
                }
            });
        }
        count(due);
    }

    /**
     * The coordinator acknowledged {@code offsets} of partitions this consumer still owns (a synchronous commit, or
     * the group's committed offsets read before a partition leaves): every run waiting below them counts, once.
     */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        List<ConsumedEvent> due = new ArrayList<>();
        synchronized (this) {
            offsets.forEach((partition, offset) -> {
                PartitionRuns runs = partitions.get(partition);
                if (runs != null) {
                    takeCommitted(runs.owned, offset.offset(), due);
                }
            });
        }
        count(due);
    }

    /**
     * {@code leaving} left this consumer without a commit of their waiting runs: those go (the next owner counts
     * them) once the commits already sent for them are answered. Returns how many runs were given up.
     */
    synchronized int giveUp(Collection<TopicPartition> leaving) {
        int left = 0;
        for (TopicPartition partition : leaving) {
            PartitionRuns runs = partitions.get(partition);
            if (runs == null) {
                continue;
            }
            for (Waiting w : runs.owned) {
                left += w.runs().size();
            }
            runs.givenUp.addAll(runs.owned);
            runs.owned.clear();
            runs.answersForGivenUp = runs.inFlight;
            if (runs.answersForGivenUp == 0) {
                runs.givenUp.clear();
            }
            if (runs.idle()) {
                partitions.remove(partition);
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
        int waiting = 0;
        for (PartitionRuns runs : partitions.values()) {
            for (Waiting w : runs.owned) {
                waiting += w.runs().size();
            }
            for (Waiting w : runs.givenUp) {
                waiting += w.runs().size();
            }
        }
        return waiting;
    }

    private static void takeCommitted(Deque<Waiting> queue, long committedOffset, List<ConsumedEvent> due) {
        while (!queue.isEmpty() && queue.peekFirst().nextOffset() <= committedOffset) {
            due.addAll(queue.pollFirst().runs());
        }
    }

    private void count(List<ConsumedEvent> runs) {
        for (ConsumedEvent run : runs) {
            if (counted.firstDelivery(run.partition(), run.offset())) {
                metrics.record(run.event(), run.labels());
            }
        }
    }
}
