package io.ingestobs.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The run meters in the Prometheus client's model, so that the Micrometer registry's own {@code scrape()} shows
 * them as it showed Micrometer's meters: the slow, general path (tests, tools), where {@link RunExposition} is
 * the one {@code GET /metrics} takes.
 */
final class RunSnapshots implements MultiCollector {

    private final RunMetrics metrics;

    RunSnapshots(RunMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        return collect(name -> true);
    }

    @Override
    public MetricSnapshots collect(PrometheusScrapeRequest request) {
        return collect(name -> true);
    }

    @Override
    public MetricSnapshots collect(Predicate<String> includedNames, PrometheusScrapeRequest request) {
        return collect(includedNames);
    }

    /** Only the families asked for are built: a scrape that leaves them out costs nothing here. */
    @Override
    public MetricSnapshots collect(Predicate<String> includedNames) {
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (RunFamily family : RunFamily.values()) {
            if (includedNames.test(family.name)) {
                MetricSnapshot snapshot = snapshot(family);
                if (snapshot != null) {
                    snapshots.metricSnapshot(snapshot);
                }
            }
        }
        return snapshots.build();
    }

    /** The family's snapshot, or null while it has no series (as Micrometer showed no meter before its first). */
    private MetricSnapshot snapshot(RunFamily family) {
        return switch (family) {
            case CPU, DURATION, MEMORY -> {
                List<HistogramDataPointSnapshot> points = new ArrayList<>();
                for (PairSeries pair : metrics.pairSeries()) {
                    if (pair.counted()) {
                        points.add(histogramPoint(family, pair.read(family), pairLabels(pair)));
                    }
                }
                yield histogram(family, points);
            }
            case RECOVERY -> {
                List<HistogramDataPointSnapshot> points = new ArrayList<>();
                for (RecoverySeries objet : metrics.recoverySeries()) {
                    points.add(histogramPoint(family, objet.read(),
                            Labels.of("source", objet.source, "objet", objet.objet)));
                }
                yield histogram(family, points);
            }
            case FAILURES -> {
                List<CounterDataPointSnapshot> points = new ArrayList<>();
                for (PairSeries pair : metrics.pairSeries()) {
                    if (pair.counted()) {
                        points.add(CounterDataPointSnapshot.builder().labels(pairLabels(pair))
                                .value(pair.failures()).build());
                    }
                }
                yield counter(family, points);
            }
            case RUNS -> {
                List<CounterDataPointSnapshot> points = new ArrayList<>();
                for (RunSeries run : metrics.runSeries()) {
                    points.add(CounterDataPointSnapshot.builder().labels(Labels.of("source", run.key.source(),
                            "etat", run.key.etat(), "objet", run.key.objet(), "entreprise", run.key.entreprise(),
                            "zone", run.key.zone())).value(run.runs()).build());
                }
                yield counter(family, points);
            }
            case LAST_RUN_SUCCESS -> {
                List<GaugeDataPointSnapshot> points = new ArrayList<>();
                for (PairSeries pair : metrics.pairSeries()) {
                    if (pair.hasState()) {
                        points.add(GaugeDataPointSnapshot.builder().labels(pairLabels(pair))
                                .value(pair.lastRunSuccess()).build());
                    }
                }
                yield gauge(family, points);
            }
            case PAIR_LAST_RUN_TIMESTAMP -> {
                List<GaugeDataPointSnapshot> points = new ArrayList<>();
                for (PairSeries pair : metrics.pairSeries()) {
                    if (pair.hasState()) {
                        points.add(GaugeDataPointSnapshot.builder().labels(pairLabels(pair))
                                .value(pair.newestRunEpochSeconds()).build());
                    }
                }
                yield gauge(family, points);
            }
            case LAST_RUN_TIMESTAMP -> {
                List<GaugeDataPointSnapshot> points = new ArrayList<>();
                for (SourceFreshness source : metrics.freshnessSeries()) {
                    points.add(GaugeDataPointSnapshot.builder().labels(Labels.of("source", source.source,
                                    "entreprise", source.entreprise, "zone", source.zone))
                            .value(source.epochSeconds()).build());
                }
                yield gauge(family, points);
            }
        };
    }

    private static Labels pairLabels(PairSeries pair) {
        return Labels.of("source", pair.source, "objet", pair.objet, "entreprise", pair.entreprise,
                "zone", pair.zone);
    }

    private static HistogramDataPointSnapshot histogramPoint(RunFamily family, PairSeries.HistogramReading reading,
                                                             Labels labels) {
        double[] bounds = new double[family.edges.length + 1];
        System.arraycopy(family.edges, 0, bounds, 0, family.edges.length);
        bounds[family.edges.length] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, reading.bucketCounts()))
                .sum(reading.sum()).build();
    }

    private static MetricSnapshot histogram(RunFamily family, List<HistogramDataPointSnapshot> points) {
        if (points.isEmpty()) {
            return null;
        }
        HistogramSnapshot.Builder builder = HistogramSnapshot.builder().name(family.name).help(family.help);
        points.forEach(builder::dataPoint);
        return builder.build();
    }

    private static MetricSnapshot counter(RunFamily family, List<CounterDataPointSnapshot> points) {
        if (points.isEmpty()) {
            return null;
        }
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name(family.name).help(family.help);
        points.forEach(builder::dataPoint);
        return builder.build();
    }

    private static MetricSnapshot gauge(RunFamily family, List<GaugeDataPointSnapshot> points) {
        if (points.isEmpty()) {
            return null;
        }
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(family.name).help(family.help);
        points.forEach(builder::dataPoint);
        return builder.build();
    }
}
