package io.ingestobs.domain;

/** Turns a connector's run record into the topic event of SPEC §3. */
public final class EventRestructurer {

    private final Thresholds thresholds;

    public EventRestructurer(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    public IngestionEvent restructure(RunRecord run) {
        boolean highMemory = run.memoryUsed() != null && run.memoryUsed() > thresholds.highMemoryBytes();
        boolean highCpu = run.cpuTime() != null && run.cpuTime() > thresholds.highCpuSeconds();
        return new IngestionEvent(run.eventTime(), run.source(), run.id(), run.objet(), run.transformation(),
                run.etat(), run.debut(), run.fin(), run.description(), run.dureeSecondes(), run.cpuTime(),
                run.memoryUsed(), orUnknown(run.zone()), orUnknown(run.entreprise()), highMemory, highCpu);
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? IngestionEvent.UNKNOWN : value;
    }
}
