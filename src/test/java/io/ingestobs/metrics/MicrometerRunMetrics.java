package io.ingestobs.metrics;

import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * REFERENCE FOR TESTS ONLY: the run meters as Micrometer meters, verbatim from before io.ingestobs.metrics.RunMetrics
 * had meters of its own (main at 9d963a7). RunExpositionTest checks
 * that the new exposition holds the same samples as this one for the same runs.
 * <p>
 * The run meters of SPEC §4: counts, failures, durations, CPU, memory, freshness, newest state and recovery time,
 * per source/objet/entreprise/zone. Callers hand each run over once; redelivery is filtered before this.
 */
final class MicrometerRunMetrics {

    /** Seconds to an hour: connector runs. */
    static final double[] DURATION_BUCKETS = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
    static final double[] CPU_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    private static final double MIB = 1_048_576;
    /** 1 MiB to 4 GiB; 150 MiB is the alert threshold, so it is a bucket edge. */
    static final double[] MEMORY_BUCKETS = {MIB, 5 * MIB, 10 * MIB, 25 * MIB, 50 * MIB, 100 * MIB, 150 * MIB,
            256 * MIB, 512 * MIB, 1024 * MIB, 2048 * MIB, 4096 * MIB};
    static final double[] RECOVERY_BUCKETS = {60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200};

    private final MeterRegistry registry;
    private final LabelCardinalityLimiter limiter;
    /** Per label set, every meter its runs move: one lookup per run instead of one per meter. */
    private final Map<RunLabels, SeriesMeters> series = new ConcurrentHashMap<>();
    private final Map<RunLabels, Counter> runs = new ConcurrentHashMap<>();
    private final Map<RunLabels, PairMeters> pairs = new ConcurrentHashMap<>();
    private final Map<Tags, AtomicLong> lastRunEnd = new ConcurrentHashMap<>();
    private final Map<Tags, RecoveryTracker> recoveries = new ConcurrentHashMap<>();

    MicrometerRunMetrics(MeterRegistry registry, LabelCardinalityLimiter limiter) {
        this.registry = registry;
        this.limiter = limiter;
    }

    public void record(IngestionEvent event) {
        record(event, limiter.limit(RunLabels.of(event)));
    }

    /** Counts {@code event} under {@code labels}, already bounded by the cardinality limiter. */
    public void record(IngestionEvent event, RunLabels labels) {
        Instant end = event.timestamp();
        SeriesMeters meters = series.get(labels);
        if (meters == null) {
            meters = series.computeIfAbsent(labels, l -> newSeries(l, end));
        }
        meters.runs.increment();

        PairMeters pair = meters.pair;
        if (event.failed()) {
            pair.failures.increment();
        }
        if (event.dureeSecondes() != null) {
            pair.duration.record(event.dureeSecondes());
        }
        if (event.cpuTimeSec() != null) {
            pair.cpu.record(event.cpuTimeSec());
        }
        if (event.memoryUsedBytes() != null) {
            pair.memory.record(event.memoryUsedBytes());
        }
        pair.newestState.offer(end, event);
        meters.lastRunEnd.accumulateAndGet(end.toEpochMilli(), Math::max);
        meters.recovery.offer(event);
    }

    /**
     * The meters one label set moves, looked up once and kept: the run counter is its own, the others are shared
     * with the label sets of the same pair, source or source/objet.
     */
    private SeriesMeters newSeries(RunLabels labels, Instant firstEnd) {
        Counter runCounter = runs.computeIfAbsent(labels, l -> Counter.builder("ingestion.runs")
                .description("Connector runs seen, by state")
                .tags(Tags.of("source", l.source(), "etat", l.etat(), "objet", l.objet(),
                        "entreprise", l.entreprise(), "zone", l.zone()))
                .register(registry));

        RunLabels pairKey = new RunLabels(labels.source(), "", labels.objet(), labels.entreprise(), labels.zone());
        PairMeters pair = pairs.computeIfAbsent(pairKey, this::newPair);

        Tags freshnessTags = Tags.of("source", labels.source(), "entreprise", labels.entreprise(),
                "zone", labels.zone());
        AtomicLong newest = lastRunEnd.computeIfAbsent(freshnessTags, tags -> {
            // set before registering: a scrape must never see a placeholder value
            AtomicLong holder = new AtomicLong(firstEnd.toEpochMilli());
            Gauge.builder("ingestion.last.run.timestamp", holder, h -> h.get() / 1000.0)
                    .description("Epoch seconds of the end of the newest run (event time)")
                    .tags(tags).register(registry);
            return holder;
        });

        Tags recoveryTags = Tags.of("source", labels.source(), "objet", labels.objet());
        RecoveryTracker recovery = recoveries.computeIfAbsent(recoveryTags, tags -> new RecoveryTracker(
                DistributionSummary.builder("ingestion.recovery.seconds")
                        .description("End of the first failure of a streak to the end of the next success (MTTR)")
                        .serviceLevelObjectives(RECOVERY_BUCKETS).tags(tags).register(registry)));
        return new SeriesMeters(runCounter, pair, newest, recovery);
    }

    private record SeriesMeters(Counter runs, PairMeters pair, AtomicLong lastRunEnd, RecoveryTracker recovery) {
    }

    private PairMeters newPair(RunLabels pair) {
        Tags tags = Tags.of("source", pair.source(), "objet", pair.objet(), "entreprise", pair.entreprise(),
                "zone", pair.zone());
        // Created at zero with the pair's first run, so that its first failure is an increase Prometheus sees.
        Counter failures = Counter.builder("ingestion.failures").description("FAILED runs")
                .tags(tags).register(registry);
        NewestState state = new NewestState();
        Gauge.builder("ingestion.last.run.success", state, NewestState::value)
                .description("1 if the newest run (by end time) succeeded, 0 if it failed")
                .tags(tags).register(registry);
        // added for issue 12 (not in main at 9d963a7): the time of the state above, per pair
        Gauge.builder("ingestion.pair.last.run.timestamp", state, NewestState::epochSeconds)
                .description("Epoch seconds of the end of the pair's newest run that succeeded or failed (event time)")
                .tags(tags).register(registry);
        return new PairMeters(failures,
                summary("ingestion.duration.seconds", "Run duration in seconds", DURATION_BUCKETS, tags),
                summary("ingestion.cpu.usage.seconds", "CPU seconds used by a run", CPU_BUCKETS, tags),
                summary("ingestion.memory.usage.bytes", "Memory used by a run, bytes", MEMORY_BUCKETS, tags),
                state);
    }

    private DistributionSummary summary(String name, String description, double[] buckets, Tags tags) {
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(buckets)
                .tags(tags).register(registry);
    }

    private record PairMeters(Counter failures, DistributionSummary duration, DistributionSummary cpu,
                              DistributionSummary memory, NewestState newestState) {
    }

    /** The state of a pair's newest run by event time; runs that arrive late do not overwrite it. */
    static final class NewestState {
        private Instant newestEnd = Instant.MIN;
        private double value = Double.NaN;

        synchronized void offer(Instant end, IngestionEvent event) {
            if ((event.failed() || event.succeeded()) && !end.isBefore(newestEnd)) {
                newestEnd = end;
                value = event.succeeded() ? 1 : 0;
            }
        }

        synchronized double value() {
            return value;
        }

        synchronized double epochSeconds() {
            return newestEnd.equals(Instant.MIN) ? Double.NaN : newestEnd.toEpochMilli() / 1000.0;
        }
    }

    /** Measures failure streaks of one source/objet: first failure's end → next success's end. */
    static final class RecoveryTracker {
        private final DistributionSummary recovery;
        private Instant streakStart;
        /** End of the newest success seen: a failure that ended before it belongs to a streak already over. */
        private Instant newestSuccess;

        RecoveryTracker(DistributionSummary recovery) {
            this.recovery = recovery;
        }

        synchronized void offer(IngestionEvent event) {
            Instant end = event.timestamp();
            if (event.failed()) {
                if (newestSuccess != null && end.isBefore(newestSuccess)) {
                    return;
                }
                if (streakStart == null || end.isBefore(streakStart)) {
                    streakStart = end;
                }
            } else if (event.succeeded()) {
                if (newestSuccess == null || end.isAfter(newestSuccess)) {
                    newestSuccess = end;
                }
                if (streakStart != null && !end.isBefore(streakStart)) {
                    recovery.record((end.toEpochMilli() - streakStart.toEpochMilli()) / 1000.0);
                    streakStart = null;
                }
            }
        }
    }
}
