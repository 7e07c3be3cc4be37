package io.ingestobs.domain;

import java.time.Instant;

/**
 * One connector run as the connector wrote it, once validated (SPEC §2). Optional fields are null when absent;
 * {@code dureeSecondes} is already derived from Fin − Debut when the record had none.
 */
public record RunRecord(Long id, String source, String objet, String transformation, String etat,
                        Instant debut, Instant fin, Double dureeSecondes, Double cpuTime, Long memoryUsed,
                        String description, String zone, String entreprise) {

    /** The run's own time: its end, or its start when it has no end. */
    public Instant eventTime() {
        return fin != null ? fin : debut;
    }

    public boolean failed() {
        return "FAILED".equals(etat);
    }

    /** The same run moved in time by {@code millis} milliseconds, its duration kept. */
    public RunRecord shiftedBy(long millis) {
        return new RunRecord(id, source, objet, transformation, etat,
                debut == null ? null : debut.plusMillis(millis), fin == null ? null : fin.plusMillis(millis),
                dureeSecondes, cpuTime, memoryUsed, description, zone, entreprise);
    }
}
