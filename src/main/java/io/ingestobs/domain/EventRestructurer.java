package io.ingestobs.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Turns a connector's run record into the topic event of SPEC §3. */
public final class EventRestructurer {

    /** SPEC §6 default of {@code DESCRIPTION_MAX_BYTES}. */
    public static final int DEFAULT_DESCRIPTION_MAX_BYTES = 65_536;

    private final Thresholds thresholds;
    private final int descriptionMaxBytes;

    public EventRestructurer(Thresholds thresholds) {
        this(thresholds, DEFAULT_DESCRIPTION_MAX_BYTES);
    }

    public EventRestructurer(Thresholds thresholds, int descriptionMaxBytes) {
        if (descriptionMaxBytes < Utf8Cut.MARKER_BYTES) {
            throw new IllegalArgumentException("DESCRIPTION_MAX_BYTES must be at least " + Utf8Cut.MARKER_BYTES
                    + " (the marker of a cut text), got " + descriptionMaxBytes);
        }
        this.thresholds = thresholds;
        this.descriptionMaxBytes = descriptionMaxBytes;
    }

    public IngestionEvent restructure(RunRecord run) {
        boolean highMemory = run.memoryUsed() != null && run.memoryUsed() > thresholds.highMemoryBytes();
        boolean highCpu = run.cpuTime() != null && run.cpuTime() > thresholds.highCpuSeconds();
        // a long stack trace must not cost the run: the event keeps its head, and says it was cut (SPEC §2)
        Utf8Cut description = run.description() == null ? null : Utf8Cut.of(run.description(), descriptionMaxBytes);
        return new IngestionEvent(millis(run.eventTime()), run.source(), run.id(), run.objet(), run.transformation(),
                run.etat(), millis(run.debut()), millis(run.fin()), description == null ? null : description.text(),
                description != null && description.truncated() ? description.originalBytes() : null,
                run.dureeSecondes(),
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
