package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * Counts runs in the metrics: those whose commit the coordinator acknowledged ({@link DeliveryLedger} says which),
 * and those that no consumer commits. Never twice in this process: per partition the highest offset counted is
 * kept, a safety net should a committed record ever come again (SPEC §4).
 */
public final class CommittedRunCounter {

    private final RunMetrics metrics;
    private final RedeliveryFilter counted = new RedeliveryFilter();

    public CommittedRunCounter(RunMetrics metrics) {
        this.metrics = metrics;
    }

    void count(List<ConsumedEvent> runs) {
        for (ConsumedEvent run : runs) {
            if (counted.firstDelivery(run.partition(), run.offset())) {
                metrics.record(run.event(), run.labels());
            }
        }
    }

    /** The offset after the newest run of {@code partition} this process counted (0 if none). */
    long countedUpTo(TopicPartition partition) {
        return counted.highest(partition.topic() + "-" + partition.partition()) + 1;
    }
}
