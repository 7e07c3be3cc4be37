package io.ingestobs.camel;

import java.util.List;

/**
 * What one batch read from one partition, offsets {@code firstOffset} up to before {@code nextOffset}, from its
 * hand-over to Loki until the commit that makes its runs final. Not a record: its delivery is settled later, on the
 * thread that pushed it, so it is guarded by the {@link DeliveryLedger}'s lock.
 */
final class PartitionBatch {

    /** Where the batch's delivery stands. */
    enum Delivery { PENDING, DELIVERED, FAILED }

    private final long firstOffset;
    private final long nextOffset;
    private final List<ConsumedEvent> runs;
    private Delivery delivery;
    /** The partition was sought back to this failed batch once already: a second seek would read it twice. */
    private boolean rewound;

    PartitionBatch(long firstOffset, long nextOffset, List<ConsumedEvent> runs, Delivery delivery) {
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.runs = runs;
        this.delivery = delivery;
    }

    long firstOffset() {
        return firstOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    List<ConsumedEvent> runs() {
        return runs;
    }

    Delivery delivery() {
        return delivery;
    }

    void settle(boolean delivered) {
        delivery = delivered ? Delivery.DELIVERED : Delivery.FAILED;
    }

    /** True the first time it is asked: the partition is then sought back to this batch. */
    boolean rewindOnce() {
        if (rewound) {
            return false;
        }
        rewound = true;
        return true;
    }
}
