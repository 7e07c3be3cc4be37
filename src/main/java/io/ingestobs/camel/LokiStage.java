package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.loki.LokiDelivery;
import io.ingestobs.loki.LokiEntry;
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
 * Returns only once every event is in Loki or refused, so the offsets after it may be committed. The one place
 * where runs become Loki streams and Loki's refusals become the DLQ's reasons: the Loki client knows no run.
 */
public final class LokiStage {

    private final LokiDelivery sink;
    private final String topic;
    private final Clock clock;

    /** @param sink {@link LokiDelivery#OFF} when LOKI_URL is unset: the stage then lets every batch through */
    public LokiStage(LokiDelivery sink, String topic, Clock clock) {
        this.sink = sink;
        this.topic = topic;
        this.clock = clock;
    }

    public void deliver(ConsumedBatch batch) {
        if (!sink.enabled() || batch.getEvents().isEmpty()) {
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
            LokiEntry entry = LokiEntry.ofUtf8(stream(consumed.event(), consumed.labels()), nanos,
                    consumed.bytes(), consumed.key(), consumed.origin());
            entries.add(entry);
            firstDeliveries.put(entry, consumed.firstDelivery());
            if (!consumed.firstDelivery()) {
                sentBefore.add(entry);
            }
        }
        for (LokiDelivery.Refusal refusal : sink.deliver(entries, sentBefore)) {
            LokiEntry entry = refusal.entry();
            boolean first = firstDeliveries.get(entry);
            batch.addDeadLetter(new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_LOKI, reason(refusal.cause()),
                    refusal.answer(), topic, entry.origin(), entry.line(), entry.key(), clock.instant()), first));
        }
    }

    /** SPEC §5 stream labels; {@code labels} are already bounded by the cardinality limiter. */
    static LokiStream stream(IngestionEvent event, RunLabels labels) {
        String level = event.failed() ? "error" : event.succeeded() ? "info" : "warning";
        return new LokiStream(labels.source(), labels.etat(), labels.zone(), labels.entreprise(), level);
    }

    /** SPEC §2: the DLQ reasons of stage {@code loki}. */
    static RejectReason reason(LokiDelivery.Refusal.Cause cause) {
        return switch (cause) {
            case LINE_TOO_LONG -> RejectReason.TOO_LARGE;
            case REFUSED_BY_LOKI -> RejectReason.LOKI_REJECTED;
        };
    }
}
