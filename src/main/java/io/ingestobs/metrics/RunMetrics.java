package io.ingestobs.metrics;

import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunLabels;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
 * <p>
 * The pairs with series of their own are bounded by a {@link PairBudget}: past it, a new pair's runs are counted
 * under {@code objet="__other__"} of their source, so every family summed by source stays exact.
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
    private final PairBudget budget;
    /** Per label set, every series its runs move: one lookup per run instead of one per meter. */
    private final Map<RunLabels, SeriesOfARun> series = new ConcurrentHashMap<>();
    private final Map<RunLabels, RunSeries> runs = new ConcurrentHashMap<>();
    private final Map<RunLabels, PairSeries> pairs = new ConcurrentHashMap<>();
    private final Map<SourceKey, SourceFreshness> freshness = new ConcurrentHashMap<>();
    private final Map<ObjetKey, RecoverySeries> recoveries = new ConcurrentHashMap<>();

    /** Meters that {@code registry}'s own scrape shows too (tests, and any other reader of that registry). */
    public RunMetrics(PrometheusMeterRegistry registry, LabelCardinalityLimiter limiter) {
        this(registry, limiter, new PairBudget(PairBudget.DEFAULT_MAX_PAIRS));
    }

    public RunMetrics(PrometheusMeterRegistry registry, LabelCardinalityLimiter limiter, PairBudget budget) {
        this.limiter = limiter;
        this.budget = budget;
        registry.getPrometheusRegistry().register(new RunSnapshots(this));
        Gauge.builder("ingestion.metric.pairs", budget, PairBudget::pairs)
                .description("Source/objet pairs with series of their own (at most METRICS_MAX_PAIRS)")
                .register(registry);
        FunctionCounter.builder("ingestion.pairs.folded", budget, PairBudget::foldedRuns)
                .description("Runs counted under objet=__other__ of their source because METRICS_MAX_PAIRS was "
                        + "reached")
                .register(registry);
    }

    public void record(IngestionEvent event) {
        record(event, limiter.limit(RunLabels.of(event)));
    }

    /** Counts {@code event} under {@code labels}, already bounded by the cardinality limiter. */
    public void record(IngestionEvent event, RunLabels labels) {
        Instant end = event.timestamp();
        SeriesOfARun meters = series.get(labels);
        if (meters == null) {
            // a label set not seen yet, or one of a pair the budget had no room for: those always come here
            RunLabels counted = withinBudget(labels, true);
            meters = series.get(counted);
            if (meters == null) {
                meters = series.computeIfAbsent(counted, l -> newSeries(l, end, true));
            }
            if (meters == null) {
                // the pair has all the states it may have: this one is counted under etat="__other__"
                RunLabels otherState = new RunLabels(counted.source(), LabelCardinalityLimiter.OTHER, counted.objet(),
                        counted.entreprise(), counted.zone());
                meters = series.computeIfAbsent(otherState, l -> newSeries(l, end, false));
            }
        }
        meters.runs.increment();
        meters.pair.record(event);
        meters.freshness.offer(end);
        meters.recovery.offer(event);
    }

    /**
     * Takes {@code event}, a run already counted (by the replica that owned its partition before, or by this one),
     * as the known state of its pair without counting anything: the newest run's success and end time, the
     * source's freshness and the recovery streak. No run counter, failure counter or histogram is moved or made:
     * those appear with the pair's first run counted here. The labels and the pair budget apply as for a counted
     * run (a pair admitted here keeps its place), but nothing is counted as folded.
     */
    public void restore(IngestionEvent event) {
        if (!event.failed() && !event.succeeded()) {
            return;     // a RUNNING run says nothing of the pair's state nor of a streak
        }
        RunLabels labels = withinBudget(limiter.limitWithoutCounting(RunLabels.of(event)), false);
        // the pair withinBudget chose has its series already, or is its source's last fallback, made as record does
        pairs.computeIfAbsent(pairKey(labels), RunMetrics::newPair).restore(event);
        Instant end = event.timestamp();
        freshness.computeIfAbsent(new SourceKey(labels.source(), labels.entreprise(), labels.zone()),
                k -> new SourceFreshness(k.source(), k.entreprise(), k.zone(), end)).offer(end);
        recoveries.computeIfAbsent(new ObjetKey(labels.source(), labels.objet()),
                k -> new RecoverySeries(k.source(), k.objet())).restore(event);
    }

    /**
     * {@code labels} if their pair has series of its own or gets them now, else the same labels with objet
     * {@code __other__}. Overflow pairs ({@code __other__}, whether folded here or by the per-label limit) take no
     * place in the budget: there is one per source/entreprise/zone, and at most a tenth of the budget; past that
     * (an input with thousands of entreprises or zones), entreprise and zone are {@code __other__} too, one pair
     * per source, so that the source's counts stay exact whatever comes.
     */
    private RunLabels withinBudget(RunLabels labels, boolean counting) {
        if (LabelCardinalityLimiter.OTHER.equals(labels.objet())) {
            return withinOverflow(labels);
        }
        RunLabels pairKey = pairKey(labels);
        if (pairs.containsKey(pairKey)) {
            return labels;
        }
        // Admission and the pair's series are made together, once per pair, however many threads see it first.
        if (!budget.spent() && pairs.computeIfAbsent(pairKey, k -> budget.admit() ? newPair(k) : null) != null) {
            return labels;
        }
        if (counting) {
            budget.folded(labels.source(), labels.objet());
        }
        return withinOverflow(new RunLabels(labels.source(), labels.etat(), LabelCardinalityLimiter.OTHER,
                labels.entreprise(), labels.zone()));
    }

    private RunLabels withinOverflow(RunLabels other) {
        RunLabels pairKey = pairKey(other);
        if (pairs.containsKey(pairKey)
                || pairs.computeIfAbsent(pairKey, k -> budget.admitOverflow() ? newPair(k) : null) != null) {
            return other;
        }
        return new RunLabels(other.source(), other.etat(), LabelCardinalityLimiter.OTHER,
                LabelCardinalityLimiter.OTHER, LabelCardinalityLimiter.OTHER);
    }

    /** The budget this meters' pairs are held to: {@code ingestion_metric_pairs} and the folded runs. */
    public PairBudget budget() {
        return budget;
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
     * first run, at zero, so that the next runs are increases Prometheus sees. Null when {@code boundStates} and
     * the pair has no room for another state.
     */
    private SeriesOfARun newSeries(RunLabels labels, Instant firstEnd, boolean boundStates) {
        PairSeries pair = pairs.computeIfAbsent(pairKey(labels), RunMetrics::newPair);
        if (boundStates && !pair.admitState(labels.etat())) {
            budget.stateFolded(labels.source(), labels.objet(), labels.etat());
            return null;
        }
        RunSeries run = runs.computeIfAbsent(labels, RunSeries::new);
        SourceFreshness newest = freshness.computeIfAbsent(
                new SourceKey(labels.source(), labels.entreprise(), labels.zone()),
                k -> new SourceFreshness(k.source(), k.entreprise(), k.zone(), firstEnd));
        RecoverySeries recovery = recoveries.computeIfAbsent(new ObjetKey(labels.source(), labels.objet()),
                k -> new RecoverySeries(k.source(), k.objet()));
        return new SeriesOfARun(run, pair, newest, recovery);
    }

    private static RunLabels pairKey(RunLabels labels) {
        return new RunLabels(labels.source(), "", labels.objet(), labels.entreprise(), labels.zone());
    }

    private static PairSeries newPair(RunLabels pairKey) {
        return new PairSeries(pairKey.source(), pairKey.objet(), pairKey.entreprise(), pairKey.zone());
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
