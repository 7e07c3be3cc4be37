package io.ingestobs.camel;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * One partition's batches between their hand-over and the commit that makes their runs final, in the order they
 * were read, and the rules that keep its commits in order. Batches overlap (docs/benchmark.md, "The overlap"): a
 * later batch may be delivered before an earlier one, so what may be committed is the longest delivered prefix,
 * never one past a batch still in flight or failed: committing past it would lose it on a crash (SPEC §5).
 * <p>
 * Not thread-safe: guarded by the {@link DeliveryLedger}'s lock.
 */
final class PartitionBatches {

    /** Batches handed over while this consumer owns the partition, oldest first. */
    private final Deque<PartitionBatch> owned = new ArrayDeque<>();
    /** Batches of an ownership that ended: only the answers to commits sent before that may make them final. */
    private final Deque<PartitionBatch> givenUp = new ArrayDeque<>();

    /** Called batch after batch on the polling thread, so the queue stays in offset order. */
    void add(PartitionBatch batch) {
        owned.add(batch);
    }

    boolean anyPending() {
        for (PartitionBatch batch : owned) {
            if (batch.delivery() == PartitionBatch.Delivery.PENDING) {
                return true;
            }
        }
        return false;
    }

    /** The oldest failed batch of this ownership, null if none: reading must start again from it. */
    PartitionBatch firstFailed() {
        for (PartitionBatch batch : owned) {
            if (batch.delivery() == PartitionBatch.Delivery.FAILED) {
                return batch;
            }
        }
        return null;
    }

    /** The next offset after the delivered prefix, -1 if the prefix is empty. */
    long deliveredUpTo() {
        long next = -1;
        for (PartitionBatch batch : owned) {
            if (batch.delivery() != PartitionBatch.Delivery.DELIVERED) {
                break;
            }
            next = batch.nextOffset();
        }
        return next;
    }

    /** Moves to {@code into} the runs of this ownership that a commit of {@code committedOffset} made final. */
    void takeCommitted(long committedOffset, List<ConsumedEvent> into) {
        take(owned, committedOffset, into);
    }

    /** As {@link #takeCommitted}, for the batches of the ownership that ended. */
    void takeCommittedGivenUp(long committedOffset, List<ConsumedEvent> into) {
        take(givenUp, committedOffset, into);
    }

    /** The ownership ended: its batches wait for the answers to the commits already sent. Returns their runs. */
    int giveUp() {
        int runs = runsIn(owned);
        givenUp.addAll(owned);
        owned.clear();
        return runs;
    }

    /** Every commit sent before the ownership ended is answered: what they did not make final is the next owner's. */
    void forgetGivenUp() {
        givenUp.clear();
    }

    boolean isEmpty() {
        return owned.isEmpty() && givenUp.isEmpty();
    }

    int waitingRuns() {
        return runsIn(owned) + runsIn(givenUp);
    }

    private static int runsIn(Deque<PartitionBatch> queue) {
        int runs = 0;
        for (PartitionBatch batch : queue) {
            runs += batch.runs().size();
        }
        return runs;
    }

    private static void take(Deque<PartitionBatch> queue, long committedOffset, List<ConsumedEvent> into) {
        // a batch not delivered is never counted, even below a committed offset (which only a delivered prefix makes)
        while (!queue.isEmpty() && queue.peekFirst().delivery() == PartitionBatch.Delivery.DELIVERED
                && queue.peekFirst().nextOffset() <= committedOffset) {
            into.addAll(queue.pollFirst().runs());
        }
    }
}
