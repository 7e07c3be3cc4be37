package io.ingestobs.metrics;

/**
 * The metric families of the run meters (SPEC §4), in the order the exposition lists them (by name, as the
 * Prometheus client sorts them). The names are the client's: a counter's without its {@code _total} suffix.
 */
enum RunFamily {

    CPU("ingestion_cpu_usage_seconds", "CPU seconds used by a run", Type.HISTOGRAM, RunMetrics.CPU_BUCKETS),
    DURATION("ingestion_duration_seconds", "Run duration in seconds", Type.HISTOGRAM, RunMetrics.DURATION_BUCKETS),
    FAILURES("ingestion_failures", "FAILED runs", Type.COUNTER, null),
    LAST_RUN_SUCCESS("ingestion_last_run_success", "1 if the newest run (by end time) succeeded, 0 if it failed",
            Type.GAUGE, null),
    LAST_RUN_TIMESTAMP("ingestion_last_run_timestamp", "Epoch seconds of the end of the newest run (event time)",
            Type.GAUGE, null),
    MEMORY("ingestion_memory_usage_bytes", "Memory used by a run, bytes", Type.HISTOGRAM, RunMetrics.MEMORY_BUCKETS),
    /** Per pair, the time ingestion_last_run_success is of: lets queries keep the replica that saw it newest. */
    PAIR_LAST_RUN_TIMESTAMP("ingestion_pair_last_run_timestamp",
            "Epoch seconds of the end of the pair's newest run that succeeded or failed (event time)", Type.GAUGE,
            null),
    RECOVERY("ingestion_recovery_seconds",
            "End of the first failure of a streak to the end of the next success (MTTR)", Type.HISTOGRAM,
            RunMetrics.RECOVERY_BUCKETS),
    RUNS("ingestion_runs", "Connector runs seen, by state", Type.COUNTER, null);

    enum Type {
        COUNTER, GAUGE, HISTOGRAM
    }

    final String name;
    final String help;
    final Type type;
    /** Bucket edges of a histogram, without +Inf; null for the others. */
    final double[] edges;

    RunFamily(String name, String help, Type type, double[] edges) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.edges = edges;
    }

    /** Whether {@code prometheusName} (a family name as the Prometheus client gives it) is one of these. */
    static boolean isRunFamily(String prometheusName) {
        for (RunFamily family : values()) {
            if (family.name.equals(prometheusName)) {
                return true;
            }
        }
        return false;
    }
}
