package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.loki.LokiCall;
import io.ingestobs.loki.LokiDelivery;
import io.ingestobs.loki.LokiEntry;
import io.ingestobs.loki.LokiRequest;
import io.ingestobs.loki.LokiStream;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The batch steps of routes/loki.yaml: a batch's events become Loki entries (the event bytes as line) and the
 * requests that carry them; once every request is answered, what Loki refused joins the batch's dead letters, or
 * the batch fails (a request not taken within the retry budget) and goes back to Kafka uncommitted. The one place
 * where runs become Loki streams and Loki's refusals become the DLQ's reasons: the Loki client knows no run.
 */
public final class LokiStage {

    /** The exchange property that carries a batch's delivery from {@link #plan} to {@link #settle}. */
    public static final String PUSH = "lokiPush";

    /** A batch's delivery, and which of its entries were delivered by Kafka for the first time. */
    public record PlannedPush(LokiCall call, Map<LokiEntry, Boolean> firstDeliveries) {
    }

    private final LokiDelivery sink;
    private final String topic;
    private final Clock clock;

    /** @param sink {@link LokiDelivery#OFF} when LOKI_URL is unset: the stage then lets every batch through */
    public LokiStage(LokiDelivery sink, String topic, Clock clock) {
        this.sink = sink;
        this.topic = topic;
        this.clock = clock;
    }

    /** Plans the requests of the batch into the exchange property {@value #PUSH}. */
    public void plan(ConsumedBatch batch, Exchange exchange) {
        List<LokiEntry> entries = new ArrayList<>(batch.getEvents().size());
        Map<LokiEntry, Boolean> firstDeliveries = new IdentityHashMap<>();
        // a record Kafka delivers again may have reached Loki the first time (its batch failed after its push)
        Set<LokiEntry> sentBefore = new HashSet<>();
        if (sink.enabled()) {
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
        }
        exchange.setProperty(PUSH, new PlannedPush(sink.start(entries, sentBefore), firstDeliveries));
    }

    /** What the route splits: the batch's push requests. */
    public List<LokiRequest> requests(@ExchangeProperty(PUSH) PlannedPush push) {
        return push.call().requests();
    }

    /** Once every request is answered: the refused entries join the batch's dead letters, or the batch fails. */
    public void settle(ConsumedBatch batch, @ExchangeProperty(PUSH) PlannedPush push) {
        for (LokiDelivery.Refusal refusal : sink.finish(push.call())) {
            LokiEntry entry = refusal.entry();
            boolean first = push.firstDeliveries().get(entry);
            batch.addDeadLetter(new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_LOKI, reason(refusal.cause()),
                    refusal.answer(), topic, entry.origin(), entry.line(), entry.key(), clock.instant()), first));
        }
    }

    /** Whatever happened, the batch's entries are no longer pending once the route is done with them. */
    public void release(@ExchangeProperty(PUSH) PlannedPush push) {
        if (push != null) {
            sink.release(push.call());
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
