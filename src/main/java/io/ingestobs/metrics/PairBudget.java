package io.ingestobs.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many source/objet pairs may have series of their own ({@code METRICS_MAX_PAIRS}, SPEC §4): each costs a
 * fixed amount of heap and about 45 exposition lines, so this number, not the input, bounds the consumer's memory
 * and the scrape. A pair here is a source/objet in one entreprise/zone, the label set of its series. The runs of a
 * pair that finds the budget spent are folded by {@link RunMetrics} under {@code objet="__other__"} of their
 * source, and counted here. The {@code __other__} pairs (one per source/entreprise/zone) are held to a tenth of
 * the budget, and each pair to a few states besides SUCCESS and FAILED ({@link PairSeries#MAX_OTHER_STATES}), so that no
 * combination of labels the per-label limit lets through grows the heap past what the budget says.
 */
public final class PairBudget {

    public static final int DEFAULT_MAX_PAIRS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(PairBudget.class);

    private final int maxPairs;
    private final int maxOverflowPairs;
    private final AtomicInteger pairs = new AtomicInteger();
    private final AtomicInteger overflowPairs = new AtomicInteger();
    private final LongAdder foldedRuns = new LongAdder();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private final AtomicBoolean statesLogged = new AtomicBoolean();

    public PairBudget(int maxPairs) {
        if (maxPairs < 1) {
            throw new IllegalArgumentException("METRICS_MAX_PAIRS must be at least 1, got " + maxPairs);
        }
        this.maxPairs = maxPairs;
        this.maxOverflowPairs = Math.max(1, maxPairs / 10);
    }

    /** Takes one pair's place if one is left. Called once per new pair, by whoever makes its series. */
    boolean admit() {
        return take(pairs, maxPairs);
    }

    /**
     * Takes the place of one {@code __other__} pair of a source/entreprise/zone. They are few in practice (one per
     * source); an input with thousands of entreprises or zones is held to a tenth of the budget.
     */
    boolean admitOverflow() {
        return take(overflowPairs, maxOverflowPairs);
    }

    private static boolean take(AtomicInteger taken, int max) {
        while (true) {
            int now = taken.get();
            if (now >= max) {
                return false;
            }
            if (taken.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Whether no new pair can be admitted: lets the runs of unknown pairs fold without taking any lock. */
    boolean spent() {
        return pairs.get() >= maxPairs;
    }

    /** One run of {@code source}/{@code objet} counted under {@code __other__}; the first one is logged. */
    void folded(String source, String objet) {
        foldedRuns.increment();
        if (!overflowLogged.get() && overflowLogged.compareAndSet(false, true)) {
            LOG.warn("METRICS_MAX_PAIRS ({}) reached at source '{}' objet '{}': from now on the runs of a new "
                            + "source/objet pair are counted under objet=\"__other__\" of their source (source "
                            + "counts, failures and alerts stay exact; Loki keeps the real names; the pairs seen so "
                            + "far keep their series). ingestion_pairs_folded_total counts those runs. If these "
                            + "objets are real, raise METRICS_MAX_PAIRS and the heap with it (README, "
                            + "configuration); if a connector writes ids or dates into Objet, fix the connector.",
                    maxPairs, source, objet);
        }
    }

    /** A run whose state found its pair's states all taken: counted under etat="__other__", logged once. */
    void stateFolded(String source, String objet, String etat) {
        if (!statesLogged.get() && statesLogged.compareAndSet(false, true)) {
            LOG.warn("Source '{}' objet '{}' has runs in more than {} states besides SUCCESS and FAILED: its "
                            + "runs in a new state (here '{}') are counted under etat=\"__other__\" (counts stay "
                            + "exact; Loki keeps the real state). Does a connector write messages into Etat?",
                    source, objet, PairSeries.MAX_OTHER_STATES, etat);
        }
    }

    public int maxPairs() {
        return maxPairs;
    }

    /** {@code __other__} pairs that may keep their entreprise and zone. */
    int maxOverflowPairs() {
        return maxOverflowPairs;
    }

    /** Pairs with series of their own: {@code ingestion_metric_pairs}. */
    public int pairs() {
        return pairs.get();
    }

    /** Runs counted under {@code __other__} for want of room: {@code ingestion_pairs_folded_total}. */
    public long foldedRuns() {
        return foldedRuns.sum();
    }
}
