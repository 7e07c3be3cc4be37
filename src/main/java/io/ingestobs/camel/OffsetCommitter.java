package io.ingestobs.camel;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The consumer route's bookkeeping around a batch on its way to Loki, so that the next batch can be read while it is
 * pushed (docs/benchmark.md, "The overlap") without giving up SPEC §5: a batch is handed over with its runs waiting
 * in the {@link DeliveryLedger}, pushed on a deliverer thread, and settled there as delivered or failed; the commit
 * is sent on the polling thread, before its next poll, and covers per partition only the delivered prefix; the
 * runs count when the coordinator acknowledges it. At most {@code batchesInFlight} batches are handed over and not
 * settled (each holds its records, so this bounds the heap); the polling thread waits for a free place.
 * <p>
 * A failed batch is never skipped: its partitions are committed no further than its first offset, and the next
 * batch of the same consumer is refused ({@link #admit}), which makes camel-kafka drop what it holds and read again
 * from the group's committed offsets (its {@code breakOnFirstError} reconnect), once the handover has waited for the
 * batches still in flight ({@link PartitionHandover}).
 */
public final class OffsetCommitter {

    /** The exchange property that carries a batch's place in the queues from {@link #handOver} to its settling. */
    public static final String IN_FLIGHT = "batchInFlight";

    /** A batch handed over: its runs waiting per partition, and those that no consumer commits (route tests). */
    public record BatchInFlight(List<PartitionBatch> waiting, List<ConsumedEvent> countOnDelivery) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    private final DeliveryLedger ledger;
    private final CommittedRunCounter counter;
    private final Semaphore places;

    public OffsetCommitter(DeliveryLedger ledger, CommittedRunCounter counter, int batchesInFlight) {
        this.ledger = ledger;
        this.counter = counter;
        this.places = new Semaphore(batchesInFlight);
    }

    /**
     * First step of a batch, before anything of it is read: refused if an earlier batch of this consumer's
     * partitions failed. Its records and those camel-kafka holds after it must not be handed over past the failed
     * one; the failure makes camel-kafka read again from the committed offsets, which stop before it.
     */
    public void admit(List<Exchange> records) {
        Consumer<?, ?> consumer = consumerOf(records);
        if (consumer != null && ledger.anyFailed(consumer.assignment())) {
            throw new EarlierBatchNotDeliveredException();
        }
    }

    /**
     * Called on the polling thread once the batch is read: waits for a place among the batches in flight, then
     * queues its runs per partition, in the order batches are read, as not yet delivered.
     */
    public void handOver(ConsumedBatch batch, Exchange exchange) throws InterruptedException {
        Map<String, List<ConsumedEvent>> runsByPartition = new HashMap<>();
        for (ConsumedEvent run : batch.getEvents()) {
            runsByPartition.computeIfAbsent(run.partition(), p -> new ArrayList<>()).add(run);
        }
        places.acquire();
        List<PartitionBatch> waiting = new ArrayList<>();
        List<ConsumedEvent> countOnDelivery = batch.getCommits().isEmpty() ? batch.getEvents() : List.of();
        for (Map.Entry<String, KafkaManualCommit> entry : batch.getCommits().entrySet()) {
            if (!(entry.getValue() instanceof RecordCommit commit)) {
                places.release();
                throw new IllegalStateException("The consumer route commits through #recordCommits, not "
                        + entry.getValue().getClass().getName());
            }
            long first = batch.getFirstOffsets().get(entry.getKey());
            waiting.add(ledger.handedOver(commit.partition(), first, commit.offset() + 1,
                    runsByPartition.getOrDefault(entry.getKey(), List.of())));
        }
        exchange.setProperty(IN_FLIGHT, new BatchInFlight(waiting, countOnDelivery));
    }

    /** On the deliverer thread: Loki and the DLQ took the whole batch; the next poll commits it if nothing before it waits. */
    public void delivered(@ExchangeProperty(IN_FLIGHT) BatchInFlight batch) {
        try {
            ledger.settle(batch.waiting(), true);
            counter.count(batch.countOnDelivery());
        } finally {
            places.release();
        }
    }

    /** On the deliverer thread: the batch was not delivered; it will be read again from the last committed offset. */
    public void notDelivered(@ExchangeProperty(IN_FLIGHT) BatchInFlight batch, Exchange exchange) {
        try {
            Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            LOG.warn("A batch was not delivered ({}): nothing at or after it is committed; its partitions are read "
                    + "again from their last committed offsets", cause == null ? "unknown cause" : cause.toString());
            ledger.settle(batch.waiting(), false);
        } finally {
            places.release();
        }
    }

    private static Consumer<?, ?> consumerOf(List<Exchange> records) {
        if (records.isEmpty()) {
            return null;
        }
        Object commit = records.get(0).getMessage().getHeader(KafkaConstants.MANUAL_COMMIT);
        return commit instanceof RecordCommit read ? read.consumer() : null;
    }

    /** Why a batch is refused: camel-kafka's reconnect then reads again from the committed offsets. */
    public static final class EarlierBatchNotDeliveredException extends RuntimeException {
        EarlierBatchNotDeliveredException() {
            super("An earlier batch of these partitions was not delivered to Loki or the DLQ: reading again from "
                    + "the last committed offsets");
        }
    }
}
