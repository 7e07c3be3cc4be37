package io.ingestobs.camel;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.testsupport.SyntheticRuns;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One partition's ordering rules, without a lock, a consumer or metrics around them. */
class PartitionBatchesTest {

    private static final EventRestructurer RESTRUCTURER = new EventRestructurer(Thresholds.DEFAULT);

    private final PartitionBatches batches = new PartitionBatches();

    @Test
    void aCommittedOffsetPastABatchNotDeliveredTakesOnlyWhatWasDeliveredBeforeIt() {
        batches.add(batch(0, 10, PartitionBatch.Delivery.DELIVERED));
        batches.add(batch(10, 20, PartitionBatch.Delivery.PENDING));
        batches.add(batch(20, 30, PartitionBatch.Delivery.DELIVERED));

        List<ConsumedEvent> taken = new ArrayList<>();
        batches.takeCommitted(30, taken);

        assertEquals(10, taken.size(), "the batch still in flight and the one after it are not final");
        assertEquals(20, batches.waitingRuns());
        assertEquals(-1, batches.deliveredUpTo(), "nothing more to commit before the batch in flight is delivered");
    }

    @Test
    void theAnswersOfAnEndedOwnershipTakeOnlyItsBatches() {
        batches.add(batch(0, 10, PartitionBatch.Delivery.DELIVERED));
        assertEquals(10, batches.giveUp());
        batches.add(batch(40, 50, PartitionBatch.Delivery.DELIVERED));

        List<ConsumedEvent> taken = new ArrayList<>();
        batches.takeCommittedGivenUp(50, taken);

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L),
                taken.stream().map(ConsumedEvent::offset).toList());
        assertEquals(50, batches.deliveredUpTo(), "the batch of the new ownership still waits for its own commit");
        batches.forgetGivenUp();
        assertEquals(10, batches.waitingRuns());
    }

    private static PartitionBatch batch(int from, int to, PartitionBatch.Delivery delivery) {
        List<ConsumedEvent> runs = new ArrayList<>();
        for (int n = from; n < to; n++) {
            IngestionEvent event = RESTRUCTURER.restructure(SyntheticRuns.run(n, 10, "run " + n));
            runs.add(new ConsumedEvent(event, RunLabels.of(event), new byte[0], event.source(), "t-0", n, true));
        }
        return new PartitionBatch(from, to, runs, delivery);
    }
}
