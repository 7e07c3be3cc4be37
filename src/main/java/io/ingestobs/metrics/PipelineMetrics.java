package io.ingestobs.metrics;

import io.ingestobs.domain.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The pipeline's own health counters of SPEC §4: records read, events published, dead letters. */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final Counter recordsRead;
    private final Counter recordsPublished;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.recordsRead = Counter.builder("ingestion.records.read")
                .description("Records read from input files").register(registry);
        this.recordsPublished = Counter.builder("ingestion.records.published")
                .description("Events written to the topic").register(registry);
    }

    public void recordRead() {
        recordsRead.increment();
    }

    public void recordPublished() {
        recordsPublished.increment();
    }

    public void recordsRead(int count) {
        recordsRead.increment(count);
    }

    public void recordsPublished(int count) {
        recordsPublished.increment(count);
    }

    public void deadLetter(String stage, RejectReason reason) {
        deadLetters.computeIfAbsent(stage + '/' + reason.code(), key -> Counter.builder("ingestion.dead.letters")
                .description("Records or events sent to the dead-letter topic")
                .tags("stage", stage, "reason", reason.code()).register(registry)).increment();
    }

    public double read() {
        return recordsRead.count();
    }

    public double published() {
        return recordsPublished.count();
    }
}
