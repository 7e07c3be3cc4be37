package io.ingestobs.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Turns a connector's run record into the topic event of SPEC §3. */
public final class EventRestructurer {

    private final Thresholds thresholds;

    public EventRestructurer(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    public IngestionEvent restructure(RunRecord run) {
        boolean highMemory = run.memoryUsed() != null && run.memoryUsed() > thresholds.highMemoryBytes();
        boolean highCpu = run.cpuTime() != null && run.cpuTime() > thresholds.highCpuSeconds();
        return new IngestionEvent(millis(run.eventTime()), run.source(), run.id(), run.objet(), run.transformation(),
                run.etat(), millis(run.debut()), millis(run.fin()), run.description(), run.dureeSecondes(),
                run.cpuTime(), run.memoryUsed(), orUnknown(run.zone()), orUnknown(run.entreprise()), highMemory,
                highCpu);
    }

    /** The wire keeps milliseconds (SPEC §3): the event holds the same instants its JSON does. */
    private static Instant millis(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? IngestionEvent.UNKNOWN : value;
    }
}
