package io.ingestobs.camel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per topic partition, the highest offset this process has already counted, so that a record Kafka
 * delivers again (after a failed push, a rebalance, a route restart) is not counted twice.
 */
public final class RedeliveryFilter {

    private final Map<String, Long> counted = new ConcurrentHashMap<>();

    /** True the first time this process sees {@code offset} of {@code partition}; false for a redelivery. */
    public boolean firstDelivery(String partition, long offset) {
        // One atomic step per record: during a rebalance two consumer threads of this process may briefly hold the
        // same partition. (A lookup first would only spare redeliveries, and cost every new record a second one.)
        boolean[] first = new boolean[1];
        counted.compute(partition, (p, highest) -> {
            first[0] = highest == null || offset > highest;
            return first[0] ? offset : highest;
        });
        return first[0];
    }

    /** The highest offset of {@code partition} seen so far, -1 if none. */
    public long highest(String partition) {
        return counted.getOrDefault(partition, -1L);
    }
}
