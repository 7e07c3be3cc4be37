package io.ingestobs.camel;

import io.ingestobs.domain.IngestionEvent;

/** An event read from the topic, with its bytes (the Loki line) and whether this process sees it first time. */
public record ConsumedEvent(IngestionEvent event, byte[] bytes, String key, String origin, boolean firstDelivery) {
}
