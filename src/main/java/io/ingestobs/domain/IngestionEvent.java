package io.ingestobs.domain;

import java.time.Instant;

/**
 * The restructured run published on the topic (SPEC §3). Zone and entreprise are never null ({@code unknown}
 * stands for a missing value); the other optional fields are null when the run did not report them.
 * {@code descriptionBytes} is the original Description's length in UTF-8 bytes when it was cut, null otherwise.
 */
public record IngestionEvent(Instant timestamp, String source, Long objetId, String objet, String transformation,
                             String etat, Instant debut, Instant fin, String description, Long descriptionBytes,
                             Double dureeSecondes,
                             Double cpuTimeSec, Long memoryUsedBytes, String zone, String entreprise,
                             boolean highMemoryUsage, boolean highCpuUsage) {

    public static final String UNKNOWN = "unknown";
    private static final double BYTES_PER_MIB = 1_048_576.0;

    /** Whether the Description was cut to {@code DESCRIPTION_MAX_BYTES} (SPEC §2). */
    public boolean descriptionTruncated() {
        return descriptionBytes != null;
    }

    public boolean failed() {
        return "FAILED".equals(etat);
    }

    public boolean succeeded() {
        return "SUCCESS".equals(etat);
    }

    public String outcome() {
        return failed() ? "failure" : succeeded() ? "success" : "unknown";
    }

    /** MiB, two decimals, as dashboards show it. */
    public Double memoryUsedMb() {
        return memoryUsedBytes == null ? null : Math.round(memoryUsedBytes / BYTES_PER_MIB * 100) / 100.0;
    }
}
