package io.ingestobs.metrics;

import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunLabels;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run meters of SPEC §4: counts, failures, durations, CPU, memory, freshness, newest state and recovery time,
 * per source/objet/entreprise/zone. Callers hand each run over once; redelivery is filtered before this.
 * <p>
 * These are meters of our own rather than Micrometer's: at 10,000 pairs they are 600,000 exposition lines, and
 * Micrometer's scrape builds a model object per line and the text of each line anew, ten times slower than
 * {@link RunExposition}, which copies each series' labels rendered once. They still appear in the Micrometer
 * registry's own scrape, through {@link RunSnapshots}, with the same names, labels and values.
 */
public final class RunMetrics {

    /** Seconds to an hour: connector runs. */
    static final double[] DURATION_BUCKETS = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
    static final double[] CPU_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    private static final double MIB = 1_048_576;
    /** 1 MiB to 4 GiB; 150 MiB is the alert threshold, so it is a bucket edge. */
    static final double[] MEMORY_BUCKETS = {MIB, 5 * MIB, 10 * MIB, 25 * MIB, 50 * MIB, 100 * MIB, 150 * MIB,
            256 * MIB, 512 * MIB, 1024 * MIB, 2048 * MIB, 4096 * MIB};
    static final double[] RECOVERY_BUCKETS = {60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200};

    private final LabelCardinalityLimiter limiter;
    /** Per label set, every series its runs move: one lookup per run instead of one per meter. */
    private final Map<RunLabels, SeriesOfARun> series = new ConcurrentHashMap<>();
    private final Map<RunLabels, RunSeries> runs = new ConcurrentHashMap<>();
    private final Map<RunLabels, PairSeries> pairs = new ConcurrentHashMap<>();
    private final Map<SourceKey, SourceFreshness> freshness = new ConcurrentHashMap<>();
    private final Map<ObjetKey, RecoverySeries> recoveries = new ConcurrentHashMap<>();

    /** Meters that {@code registry}'s own scrape shows too (tests, and any other reader of that registry). */
    public RunMetrics(PrometheusMeterRegistry registry, LabelCardinalityLimiter limiter) {
        this.limiter = limiter;
        registry.getPrometheusRegistry().register(new RunSnapshots(this));
    }

    public void record(IngestionEvent event) {
        record(event, limiter.limit(RunLabels.of(event)));
    }

    /** Counts {@code event} under {@code labels}, already bounded by the cardinality limiter. */
    public void record(IngestionEvent event, RunLabels labels) {
        Instant end = event.timestamp();
        SeriesOfARun meters = series.get(labels);
        if (meters == null) {
            meters = series.computeIfAbsent(labels, l -> newSeries(l, end));
        }
        meters.runs.increment();
        meters.pair.record(event);
        meters.freshness.offer(end);
        meters.recovery.offer(event);
    }

    /** Writes these meters' families in {@code format}: the fast path of {@code GET /metrics}. */
    public RunExposition exposition() {
        return new RunExposition(this);
    }

    /** Whether a family of the Prometheus client (its name without {@code _total}) is one of these meters'. */
    public static boolean isRunFamily(String prometheusName) {
        return RunFamily.isRunFamily(prometheusName);
    }

    /**
     * The series one label set moves, looked up once and kept: the run counter is its own, the others are shared
     * with the label sets of the same pair, source or source/objet. Every one is created with the label set's
     * first run, at zero, so that the next runs are increases Prometheus sees.
     */
    private SeriesOfARun newSeries(RunLabels labels, Instant firstEnd) {
        RunSeries run = runs.computeIfAbsent(labels, RunSeries::new);
        RunLabels pairKey = new RunLabels(labels.source(), "", labels.objet(), labels.entreprise(), labels.zone());
        PairSeries pair = pairs.computeIfAbsent(pairKey,
                k -> new PairSeries(k.source(), k.objet(), k.entreprise(), k.zone()));
        SourceFreshness newest = freshness.computeIfAbsent(
                new SourceKey(labels.source(), labels.entreprise(), labels.zone()),
                k -> new SourceFreshness(k.source(), k.entreprise(), k.zone(), firstEnd));
        RecoverySeries recovery = recoveries.computeIfAbsent(new ObjetKey(labels.source(), labels.objet()),
                k -> new RecoverySeries(k.source(), k.objet()));
        return new SeriesOfARun(run, pair, newest, recovery);
    }

    Collection<RunSeries> runSeries() {
        return runs.values();
    }

    Collection<PairSeries> pairSeries() {
        return pairs.values();
    }

    Collection<SourceFreshness> freshnessSeries() {
        return freshness.values();
    }

    Collection<RecoverySeries> recoverySeries() {
        return recoveries.values();
    }

    private record SeriesOfARun(RunSeries runs, PairSeries pair, SourceFreshness freshness,
                                RecoverySeries recovery) {
    }

    private record SourceKey(String source, String entreprise, String zone) {
    }

    private record ObjetKey(String source, String objet) {
    }
}
