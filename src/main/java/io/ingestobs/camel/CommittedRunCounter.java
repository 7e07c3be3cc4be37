package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Counts a run in the metrics only once the group coordinator has acknowledged the commit of its offset: the
 * replica that counts a run is the one whose commit made it nobody else's (SPEC §4, counting once across replicas).
 * Until then the delivered runs wait here, per partition. When a partition leaves this consumer, its waiting runs
 * are committed synchronously first (then counted here); if that cannot be done they are given up, but only once
 * every asynchronous commit already sent for the partition has been answered, since one of those may still be
 * acknowledged (then its runs count here, and the next owner starts after them) or refused (then the next owner
 * reads them again from the last committed offset and counts them).
 * <p>
 * Batches overlap (docs/benchmark.md, "The overlap"): a batch is handed to Loki and the next one read while it is
 * pushed, so a partition's queue holds batches still in flight behind delivered ones, and a later batch may be
 * delivered before an earlier one. The offset committed for a partition is therefore that of its longest delivered
 * prefix, never one past a batch still in flight or failed; a failed batch is kept, marked, until its partition is
 * read again from the last committed offset ({@link #rewindTargets}, {@link PartitionHandover}).
 * <p>
 * The acknowledgement and the handover arrive on the polling thread of the consumer that owns the partition; a
 * delivery is settled on the thread that pushed it; with several consumer threads a partition may pass from one to
 * another, hence the lock.
 */
public final class CommittedRunCounter {

    /** Where a batch's delivery stands; guarded by the counter's lock. */
    enum Delivery { PENDING, DELIVERED, FAILED }

    /** The runs one batch read from one partition: from {@code firstOffset} up to before {@code nextOffset}. */
    static final class Waiting {
        private final long firstOffset;
        private final long nextOffset;
        private final List<ConsumedEvent> runs;
        private Delivery delivery;
        /** The partition was sought back to this failed batch once already (by {@link #rewindTargets}). */
        private boolean rewound;

        Waiting(long firstOffset, long nextOffset, List<ConsumedEvent> runs, Delivery delivery) {
            this.firstOffset = firstOffset;
            this.nextOffset = nextOffset;
            this.runs = runs;
            this.delivery = delivery;
        }

        long nextOffset() {
            return nextOffset;
        }

        List<ConsumedEvent> runs() {
            return runs;
        }
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
        /** The highest offset sent in a commit and not refused since: a poll sends only what moved past it. */
        long sentUpTo = -1;

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

    /**
     * {@code runs} of {@code partition} are delivered (a batch handed over and settled at once, for tests of the
     * counting alone); they count once offsets up to {@code nextOffset} are committed.
     */
    synchronized void awaitCommit(TopicPartition partition, long nextOffset, List<ConsumedEvent> runs) {
        partitions.computeIfAbsent(partition, p -> new PartitionRuns()).owned
                .add(new Waiting(nextOffset, nextOffset, runs, Delivery.DELIVERED));
    }

    /**
     * A batch read {@code runs} of {@code partition}, offsets {@code firstOffset} to {@code nextOffset - 1}, and is
     * on its way to Loki: nothing at or after {@code firstOffset} is committed until {@link #settle} says it was
     * delivered. Called on the polling thread, batch after batch, so each partition's queue is in offset order.
     */
    synchronized Waiting handedOver(TopicPartition partition, long firstOffset, long nextOffset,
                                    List<ConsumedEvent> runs) {
        Waiting waiting = new Waiting(firstOffset, nextOffset, runs, Delivery.PENDING);
        partitions.computeIfAbsent(partition, p -> new PartitionRuns()).owned.add(waiting);
        return waiting;
    }

    /**
     * The batch that made {@code batch} was delivered (Loki and the DLQ took everything) or failed. A batch of a
     * partition given up meanwhile counts for nothing: no commit sent before the give-up reached it.
     */
    synchronized void settle(Collection<Waiting> batch, boolean delivered) {
        for (Waiting waiting : batch) {
            waiting.delivery = delivered ? Delivery.DELIVERED : Delivery.FAILED;
        }
        notifyAll();
    }

    /**
     * Waits until no batch of {@code among} is still on its way (each then delivered or failed), at most
     * {@code timeout}: a partition must not be committed and handed over with a push still running for it.
     * Returns false if some were still pending at the deadline.
     */
    public synchronized boolean awaitSettled(Collection<TopicPartition> among, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending(among)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private boolean pending(Collection<TopicPartition> among) {
        for (TopicPartition partition : among) {
            PartitionRuns runs = partitions.get(partition);
            if (runs != null) {
                for (Waiting w : runs.owned) {
                    if (w.delivery == Delivery.PENDING) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether a batch of one of {@code among} failed and its partition has not been read again since. */
    synchronized boolean anyFailed(Collection<TopicPartition> among) {
        for (TopicPartition partition : among) {
            if (firstFailed(partitions.get(partition)) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * For each of {@code among} with a failed batch not sought back to yet: the first offset of that batch, where
     * reading must start again. Everything before it is delivered or still in flight, never skipped: the commit
     * stops at the failed batch whatever happens to the later ones.
     */
    synchronized Map<TopicPartition, Long> rewindTargets(Collection<TopicPartition> among) {
        Map<TopicPartition, Long> targets = new HashMap<>();
        for (TopicPartition partition : among) {
            Waiting failed = firstFailed(partitions.get(partition));
            if (failed != null && !failed.rewound) {
                failed.rewound = true;
                targets.put(partition, failed.firstOffset);
            }
        }
        return targets;
    }

    private static Waiting firstFailed(PartitionRuns runs) {
        if (runs != null) {
            for (Waiting w : runs.owned) {
                if (w.delivery == Delivery.FAILED) {
                    return w;
                }
            }
        }
        return null;
    }

    /** Counts runs that nothing needs to commit (no Kafka consumer behind them). */
    void countNow(List<ConsumedEvent> runs) {
        count(runs);
    }

    /**
     * The offsets to commit for those of {@code partitions} that have delivered runs waiting: the next offset after
     * the newest run of the longest delivered prefix of the partition's queue. A batch still in flight or failed
     * stops it, whatever was delivered after: committing past it would lose it on a crash (SPEC §5). Used to commit
     * again what an earlier, failed commit did not.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> among) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : among) {
            PartitionRuns runs = partitions.get(partition);
            long next = runs == null ? -1 : deliveredUpTo(runs);
            if (next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    /** The next offset after the delivered prefix of the partition's queue, -1 if the prefix is empty. */
    private static long deliveredUpTo(PartitionRuns runs) {
        long next = -1;
        for (Waiting w : runs.owned) {
            if (w.delivery != Delivery.DELIVERED) {
                break;
            }
            next = w.nextOffset;
        }
        return next;
    }

    /**
     * On {@code consumer}'s polling thread, before each poll: a partition whose batch failed is sought back to that
     * batch's first offset, so that even a quiet topic brings the batch back, and with it the refusal that makes
     * camel-kafka read again from the committed offsets ({@link OffsetCommitter#admit}); then the delivered prefixes
     * are committed.
     */
    public void beforePoll(Consumer<?, ?> consumer) {
        Map<TopicPartition, Long> rewind = rewindTargets(consumer.assignment());
        rewind.forEach(consumer::seek);
        if (!rewind.isEmpty()) {
            LOG.warn("Partitions sought back to the first offset of their batch that was not delivered: {}", rewind);
        }
        commitDelivered(consumer);
    }

    /**
     * Sends, on {@code consumer}'s polling thread, the commit of every partition it owns whose delivered prefix
     * moved past what was last sent: called before each poll, so the last batch of a quiet topic is committed too.
     */
    void commitDelivered(Consumer<?, ?> consumer) {
        Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
        synchronized (this) {
            for (TopicPartition partition : consumer.assignment()) {
                PartitionRuns runs = partitions.get(partition);
                if (runs != null) {
                    long next = deliveredUpTo(runs);
                    if (next > runs.sentUpTo) {
                        due.put(partition, new OffsetAndMetadata(next));
                    }
                }
            }
        }
        commitAsync(consumer, due);
    }

    /** An asynchronous commit of {@code committing} is sent: its answer comes to {@link #answered}. */
    synchronized void sent(Collection<TopicPartition> committing) {
        committing.forEach(p -> partitions.computeIfAbsent(p, k -> new PartitionRuns()).inFlight++);
    }

    private synchronized void sent(Map<TopicPartition, OffsetAndMetadata> committing) {
        committing.forEach((p, offset) -> {
            PartitionRuns runs = partitions.computeIfAbsent(p, k -> new PartitionRuns());
            runs.inFlight++;
            runs.sentUpTo = Math.max(runs.sentUpTo, offset.offset());
        });
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
                if (!acknowledged) {
                    // refused: the next poll sends the partition's delivered prefix again
                    runs.sentUpTo = -1;
                }
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
            runs.sentUpTo = -1;
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
        sent(offsets);
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
        // a batch not delivered is never counted, even below a committed offset (which only a delivered prefix makes)
        while (!queue.isEmpty() && queue.peekFirst().delivery == Delivery.DELIVERED
                && queue.peekFirst().nextOffset() <= committedOffset) {
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
