package io.ingestobs.camel;

import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RunLabels;

/**
 * An event read from the topic, with its labels bounded once for metrics and Loki alike, its bytes (the Loki
 * line), and whether this process sees it for the first time.
 */
public record ConsumedEvent(IngestionEvent event, RunLabels labels, byte[] bytes, String key, String origin,
                            boolean firstDelivery) {
}
