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
    /**
     * Per label, its values, each mapped to itself: the instance kept here is the one every run of that value is
     * labelled with, so the meters' and streams' maps keyed by labels compare them by identity first instead of
     * character by character (docs/benchmark.md, issue 14).
     */
    private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> folded = new ConcurrentHashMap<>();

    public LabelCardinalityLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("LABEL_CARDINALITY_LIMIT must be at least 1, got " + limit);
        }
        this.limit = limit;
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
        return new RunLabels(value("source", labels.source(), counting), value("etat", labels.etat(), counting),
                value("objet", labels.objet(), counting), value("entreprise", labels.entreprise(), counting),
                value("zone", labels.zone(), counting));
    }

    /** The value to expose for {@code label}: itself while the label has room, {@value #OTHER} after. */
    public String value(String label, String raw) {
        return value(label, raw, true);
    }

    private String value(String label, String raw, boolean counting) {
        String value = raw.length() > MAX_VALUE_LENGTH ? raw.substring(0, MAX_VALUE_LENGTH) : raw;
        Map<String, String> values = seen.computeIfAbsent(label, l -> new ConcurrentHashMap<>());
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
            folded.computeIfAbsent(label, l -> new LongAdder()).increment();
        }
        return OTHER;
    }

    /** How many values of {@code label} were folded into {@value #OTHER} so far. */
    public long foldedCount(String label) {
        LongAdder count = folded.get(label);
        return count == null ? 0 : count.sum();
    }
}
