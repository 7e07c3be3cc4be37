package io.ingestobs.metrics;

import io.ingestobs.domain.RunLabels;

import java.util.concurrent.atomic.AtomicLong;

/** The runs of one source/etat/objet/entreprise/zone: {@code ingestion_runs_total}. */
final class RunSeries {

    final RunLabels key;
    /** {@code entreprise="…",etat="…",objet="…",source="…",zone="…"}, escaped once. */
    final byte[] labels;
    private final AtomicLong runs = new AtomicLong();

    RunSeries(RunLabels key) {
        this.key = key;
        this.labels = LabelText.render("entreprise", key.entreprise(), "etat", key.etat(), "objet", key.objet(),
                "source", key.source(), "zone", key.zone());
    }

    void increment() {
        runs.incrementAndGet();
    }

    long runs() {
        return runs.get();
    }
}
