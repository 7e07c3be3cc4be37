package io.ingestobs.domain;

/** The limits above which a run is flagged as heavy; the same figures as the alerts (SPEC §3, §7). */
public record Thresholds(long highMemoryBytes, double highCpuSeconds) {

    public static final Thresholds DEFAULT = new Thresholds(157_286_400L, 60.0);
}
