package io.ingestobs.domain;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps each label to a bounded number of distinct values: past the limit, new values fold into
 * {@value #OTHER}, so a connector that writes ids into {@code Objet} cannot explode Prometheus or Loki.
 * The values seen first keep their own series.
 */
public final class LabelCardinalityLimiter {

    public static final String OTHER = "__other__";
    /** Longer values are cut: they are identifiers gone wrong, not names a person filters on. */
    public static final int MAX_VALUE_LENGTH = 256;

    private final int limit;
    private final Map<String, LabelValues> labels = new ConcurrentHashMap<>();
    // the labels of a run, held here rather than looked up by name five times per run
    private final LabelValues sources;
    private final LabelValues etats;
    private final LabelValues objets;
    private final LabelValues entreprises;
    private final LabelValues zones;

    public LabelCardinalityLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("LABEL_CARDINALITY_LIMIT must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.sources = values("source");
        this.etats = values("etat");
        this.objets = values("objet");
        this.entreprises = values("entreprise");
        this.zones = values("zone");
    }

    public RunLabels limit(RunLabels labels) {
        return limit(labels, true);
    }

    /**
     * As {@link #limit(RunLabels)}, for a run whose state is rebuilt rather than counted (a run another replica
     * counted, read back when its partition moves here): a value folded here is not counted again as folded.
     */
    public RunLabels limitWithoutCounting(RunLabels labels) {
        return limit(labels, false);
    }

    private RunLabels limit(RunLabels labels, boolean counting) {
        return new RunLabels(sources.value(labels.source(), counting), etats.value(labels.etat(), counting),
                objets.value(labels.objet(), counting), entreprises.value(labels.entreprise(), counting),
                zones.value(labels.zone(), counting));
    }

    /** The value to expose for {@code label}: itself while the label has room, {@value #OTHER} after. */
    public String value(String label, String raw) {
        return values(label).value(raw, true);
    }

    /** How many values of {@code label} were folded into {@value #OTHER} so far. */
    public long foldedCount(String label) {
        LabelValues values = labels.get(label);
        return values == null ? 0 : values.folded.sum();
    }

    private LabelValues values(String label) {
        return labels.computeIfAbsent(label, l -> new LabelValues(limit));
    }

    /** The values of one label seen so far, and how many were folded. */
    private static final class LabelValues {

        private final int limit;
        /**
         * Each value mapped to itself: the instance kept here is the one every run of that value is labelled
         * with, so the meters' and streams' maps keyed by labels compare them by identity first instead of
         * character by character (docs/benchmark.md, issue 14).
         */
        private final Map<String, String> values = new ConcurrentHashMap<>();
        private final LongAdder folded = new LongAdder();

        LabelValues(int limit) {
            this.limit = limit;
        }

        String value(String raw, boolean counting) {
            String value = raw.length() > MAX_VALUE_LENGTH ? raw.substring(0, MAX_VALUE_LENGTH) : raw;
            String known = values.get(value);
            if (known != null) {
                return known;
            }
            // A full label folds without taking the lock: past the limit every new value comes here, from every
            // consumer thread at once.
            if (values.size() < limit) {
                synchronized (values) {
                    known = values.get(value);
                    if (known != null) {
                        return known;
                    }
                    if (values.size() < limit) {
                        values.put(value, value);
                        return value;
                    }
                }
            }
            if (counting) {
                folded.increment();
            }
            return OTHER;
        }
    }
}
