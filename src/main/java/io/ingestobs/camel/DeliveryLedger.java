package io.ingestobs.camel;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Per partition, the batches handed over to Loki, their delivery, and the commits sent for them: which offsets may
 * be committed, and which runs an acknowledged commit makes final. A run is counted only then: the replica that
 * counts it is the one whose commit made it nobody else's (SPEC §4, counting once across replicas). When a
 * partition leaves this consumer without a last commit, its runs are given up, but only once every asynchronous
 * commit already sent for it has been answered, since one of those may still be acknowledged (then its runs are
 * this consumer's, and the next owner starts after them) or refused (then the next owner reads them again from the
 * last committed offset). A failed batch is kept, marked, until its partition is read again from the last committed
 * offset ({@link #rewindTargets}, {@link PartitionHandover}).
 * <p>
 * One lock, this object's, guards every partition's {@link PartitionBatches} and {@link PartitionCommits} together:
 * an answer, a hand-over and a give-up each change both at once. Batches are handed over, commits sent and answered,
 * and partitions handed over on the polling thread of the consumer that owns the partition; a delivery is settled
 * on the thread that pushed it; with several consumer threads a partition may pass from one to another. The runs a
 * method returns are counted by the caller, outside the lock.
 */
public final class DeliveryLedger {

    /** What one partition has waiting; {@code idle} once nothing is and no answer is awaited. */
    private record Partition(PartitionBatches batches, PartitionCommits commits) {
        Partition() {
            this(new PartitionBatches(), new PartitionCommits());
        }

        boolean idle() {
            return batches.isEmpty() && commits.idle();
        }
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /**
     * {@code runs} of {@code partition} are delivered (a batch handed over and settled at once, for tests of the
     * counting alone); they are final once offsets up to {@code nextOffset} are committed.
     */
    synchronized void awaitCommit(TopicPartition partition, long nextOffset, List<ConsumedEvent> runs) {
        partition(partition).batches().add(
                new PartitionBatch(nextOffset, nextOffset, runs, PartitionBatch.Delivery.DELIVERED));
    }

    /**
     * A batch read {@code runs} of {@code partition}, offsets {@code firstOffset} to {@code nextOffset - 1}, and is
     * on its way to Loki: nothing at or after {@code firstOffset} is committed until {@link #settle} says it was
     * delivered. Called on the polling thread, batch after batch, so each partition's queue is in offset order.
     */
    synchronized PartitionBatch handedOver(TopicPartition partition, long firstOffset, long nextOffset,
                                           List<ConsumedEvent> runs) {
        PartitionBatch batch = new PartitionBatch(firstOffset, nextOffset, runs, PartitionBatch.Delivery.PENDING);
        partition(partition).batches().add(batch);
        return batch;
    }

    /**
     * The batch that made {@code batch} was delivered (Loki and the DLQ took everything) or failed. A batch of a
     * partition given up meanwhile counts for nothing: no commit sent before the give-up reached it.
     */
    synchronized void settle(Collection<PartitionBatch> batch, boolean delivered) {
        for (PartitionBatch part : batch) {
            part.settle(delivered);
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
            Partition waiting = partitions.get(partition);
            if (waiting != null && waiting.batches().anyPending()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a batch of one of {@code among} failed and its partition has not been read again since. */
    synchronized boolean anyFailed(Collection<TopicPartition> among) {
        for (TopicPartition partition : among) {
            if (firstFailed(partition) != null) {
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
            PartitionBatch failed = firstFailed(partition);
            if (failed != null && failed.rewindOnce()) {
                targets.put(partition, failed.firstOffset());
            }
        }
        return targets;
    }

    private PartitionBatch firstFailed(TopicPartition partition) {
        Partition waiting = partitions.get(partition);
        return waiting == null ? null : waiting.batches().firstFailed();
    }

    /**
     * The offsets to commit for those of {@code among} that have delivered runs waiting: the next offset after the
     * newest run of the longest delivered prefix of the partition's queue. Used to commit again what an earlier,
     * failed commit did not, and to hand a partition over.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> among) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : among) {
            Partition waiting = partitions.get(partition);
            long next = waiting == null ? -1 : waiting.batches().deliveredUpTo();
            if (next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    /** As {@link #uncommitted}, only for the partitions whose delivered prefix moved past what was last sent. */
    synchronized Map<TopicPartition, OffsetAndMetadata> dueForCommit(Collection<TopicPartition> among) {
        Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
        for (TopicPartition partition : among) {
            Partition waiting = partitions.get(partition);
            if (waiting != null) {
                long next = waiting.batches().deliveredUpTo();
                if (waiting.commits().isDue(next)) {
                    due.put(partition, new OffsetAndMetadata(next));
                }
            }
        }
        return due;
    }

    /** An asynchronous commit of {@code committing} is sent (tests of the counting alone). */
    synchronized void sent(Collection<TopicPartition> committing) {
        committing.forEach(p -> partition(p).commits().sent());
    }

    /** An asynchronous commit of {@code committing} is sent: its answer comes to {@link #answered}. */
    synchronized void sent(Map<TopicPartition, OffsetAndMetadata> committing) {
        committing.forEach((p, offset) -> partition(p).commits().sent(offset.offset()));
    }

    /**
     * The answer to an asynchronous commit of {@code offsets}. Returns the runs it made final, if acknowledged: those
     * of the ownership it was sent for, never those delivered since the partition came back.
     */
    synchronized List<ConsumedEvent> answered(Map<TopicPartition, OffsetAndMetadata> offsets, boolean acknowledged) {
        List<ConsumedEvent> committed = new ArrayList<>();
        offsets.forEach((partition, offset) -> {
            Partition waiting = partitions.get(partition);
            if (waiting == null) {
                return;
            }
            if (waiting.commits().answered(acknowledged)) {
                if (acknowledged) {
                    waiting.batches().takeCommittedGivenUp(offset.offset(), committed);
                }
                if (waiting.commits().givenUpAnswered()) {
                    waiting.batches().forgetGivenUp();
                }
            } else if (acknowledged) {
                waiting.batches().takeCommitted(offset.offset(), committed);
            }
            if (waiting.idle()) {
                partitions.remove(partition);
            }
        });
        return committed;
    }

    /**
     * The coordinator acknowledged {@code offsets} of partitions this consumer still owns (a synchronous commit, or
     * the group's committed offsets read before a partition leaves). Returns every run waiting below them, once.
     */
    synchronized List<ConsumedEvent> committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        List<ConsumedEvent> committed = new ArrayList<>();
        offsets.forEach((partition, offset) -> {
            Partition waiting = partitions.get(partition);
            if (waiting != null) {
                waiting.batches().takeCommitted(offset.offset(), committed);
            }
        });
        return committed;
    }

    /**
     * {@code leaving} left this consumer without a commit of their waiting runs: those go (the next owner counts
     * them) once the commits already sent for them are answered. Returns how many runs were given up.
     */
    synchronized int giveUp(Collection<TopicPartition> leaving) {
        int left = 0;
        for (TopicPartition partition : leaving) {
            Partition waiting = partitions.get(partition);
            if (waiting == null) {
                continue;
            }
            left += waiting.batches().giveUp();
            waiting.commits().giveUp();
            if (waiting.commits().givenUpAnswered()) {
                waiting.batches().forgetGivenUp();
            }
            if (waiting.idle()) {
                partitions.remove(partition);
            }
        }
        return left;
    }

    /** Runs delivered and not yet counted, waiting for their commit. */
    public synchronized int waitingRuns() {
        int waiting = 0;
        for (Partition partition : partitions.values()) {
            waiting += partition.batches().waitingRuns();
        }
        return waiting;
    }

    private Partition partition(TopicPartition partition) {
        return partitions.computeIfAbsent(partition, p -> new Partition());
    }
}
