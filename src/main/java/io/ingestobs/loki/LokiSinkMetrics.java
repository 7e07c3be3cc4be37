package io.ingestobs.loki;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The Loki sink's own meters (SPEC §4): requests by status, accepted entries, pending entries, sizes, latency. */
public final class LokiSinkMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Counter accepted;
    private final Counter alreadyStored;
    private final AtomicLong pending = new AtomicLong();
    private final DistributionSummary batchEntries;
    private final Timer pushLatency;

    public LokiSinkMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("ingestion.loki.entries").description("Entries Loki accepted")
                .register(registry);
        this.alreadyStored = Counter.builder("ingestion.loki.entries.already.stored")
                .description("Entries of an unanswered push found in Loki, so not sent again").register(registry);
        Gauge.builder("ingestion.loki.pending.entries", pending, AtomicLong::get)
                .description("Entries consumed, not yet acknowledged by Loki or the DLQ").register(registry);
        this.batchEntries = DistributionSummary.builder("ingestion.loki.batch.entries")
                .description("Entries per push request")
                .serviceLevelObjectives(1, 10, 50, 100, 250, 500, 1000, 2500, 5000).register(registry);
        this.pushLatency = Timer.builder("ingestion.loki.push.latency").description("Duration of one push request")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(10))
                .register(registry);
    }

    void request(LokiResponse response, int entries, long nanos) {
        requests.computeIfAbsent(response.statusLabel(), status -> Counter.builder("ingestion.loki.push.requests")
                .description("Push requests by Loki's answer").tag("status", status).register(registry))
                .increment();
        batchEntries.record(entries);
        pushLatency.record(Duration.ofNanos(nanos));
    }

    void accepted(int entries) {
        accepted.increment(entries);
    }

    void alreadyStored(int entries) {
        alreadyStored.increment(entries);
    }

    void pending(long delta) {
        pending.addAndGet(delta);
    }
}
