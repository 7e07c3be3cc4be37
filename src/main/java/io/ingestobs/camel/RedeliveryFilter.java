package io.ingestobs.camel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers, per topic partition, the highest offset this process has already counted, so that a record Kafka
 * delivers again (after a failed push, a rebalance, a route restart) is not counted twice.
 */
public final class RedeliveryFilter {

    private final Map<String, AtomicLong> counted = new ConcurrentHashMap<>();

    /** True the first time this process sees {@code offset} of {@code partition}; false for a redelivery. */
    public boolean firstDelivery(String partition, long offset) {
        // One atomic step per record: during a rebalance two consumer threads of this process may briefly hold the
        // same partition. A lock-free read of the partition's slot and a compare-and-set, rather than a compute
        // under the map's bin lock: this runs twice for every record consumed (docs/benchmark.md, issue 14).
        AtomicLong highest = counted.get(partition);
        if (highest == null) {
            highest = counted.computeIfAbsent(partition, p -> new AtomicLong(-1));
        }
        while (true) {
            long seen = highest.get();
            if (offset <= seen) {
                return false;
            }
            if (highest.compareAndSet(seen, offset)) {
                return true;
            }
        }
    }

    /** The highest offset of {@code partition} seen so far, -1 if none. */
    public long highest(String partition) {
        AtomicLong highest = counted.get(partition);
        return highest == null ? -1 : highest.get();
    }
}
