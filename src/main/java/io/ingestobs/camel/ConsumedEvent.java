package io.ingestobs.camel;

import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RunLabels;

/**
 * An event read from the topic, with its labels bounded once for metrics and Loki alike, its bytes (the Loki
 * line), where it was read ({@code partition} as {@code topic-N}, {@code offset}), and whether this process
 * reads it for the first time (which decides whether its dead letters are counted).
 */
public record ConsumedEvent(IngestionEvent event, RunLabels labels, byte[] bytes, String key, String partition,
                            long offset, boolean firstDelivery) {

    /** {@code topic-N@offset}: where a dead letter says it came from. */
    public String origin() {
        return partition + "@" + offset;
    }
}
