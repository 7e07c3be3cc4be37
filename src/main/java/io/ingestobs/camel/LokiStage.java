package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.loki.LokiEntry;
import io.ingestobs.loki.LokiSink;
import io.ingestobs.loki.LokiStream;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends a batch's events to Loki, the event bytes as line; what Loki refuses joins the batch's dead letters.
 * Returns only once every event is in Loki or refused, so the offsets after it may be committed.
 */
public final class LokiStage {

    private final LokiSink sink;
    private final String topic;
    private final Clock clock;

    /** @param sink null when LOKI_URL is unset: the stage then lets every batch through */
    public LokiStage(LokiSink sink, String topic, Clock clock) {
        this.sink = sink;
        this.topic = topic;
        this.clock = clock;
    }

    public void deliver(ConsumedBatch batch) {
        if (sink == null || batch.getEvents().isEmpty()) {
            return;
        }
        List<LokiEntry> entries = new ArrayList<>(batch.getEvents().size());
        Map<LokiEntry, Boolean> firstDeliveries = new IdentityHashMap<>();
        // a record Kafka delivers again may have reached Loki the first time (its batch failed after its push)
        Set<LokiEntry> sentBefore = new HashSet<>();
        for (ConsumedEvent consumed : batch.getEvents()) {
            Instant time = consumed.event().timestamp();
            long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
            // the record's bytes are the line: Loki gets them as they are, byte-identical on a redelivery
            LokiEntry entry = LokiEntry.ofUtf8(LokiStream.of(consumed.event(), consumed.labels()), nanos,
                    consumed.bytes(), consumed.key(), consumed.origin());
            entries.add(entry);
            firstDeliveries.put(entry, consumed.firstDelivery());
            if (!consumed.firstDelivery()) {
                sentBefore.add(entry);
            }
        }
        for (LokiSink.Refusal refusal : sink.deliver(entries, sentBefore)) {
            LokiEntry entry = refusal.entry();
            boolean first = firstDeliveries.get(entry);
            batch.addDeadLetter(new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_LOKI, refusal.reason(),
                    refusal.answer(), topic, entry.origin(), entry.line(), entry.key(), clock.instant()), first));
        }
    }
}
