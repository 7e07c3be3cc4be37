package io.ingestobs.metrics;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** End of the newest run of one source/entreprise/zone, by event time: {@code ingestion_last_run_timestamp}. */
final class SourceFreshness {

    final String source;
    final String entreprise;
    final String zone;
    /** {@code entreprise="…",source="…",zone="…"}, escaped once. */
    final byte[] labels;
    private final AtomicLong newestEndMillis;

    /** Made with its first run's end: a scrape never sees a placeholder value. */
    SourceFreshness(String source, String entreprise, String zone, Instant firstEnd) {
        this.source = source;
        this.entreprise = entreprise;
        this.zone = zone;
        this.labels = LabelText.render("entreprise", entreprise, "source", source, "zone", zone);
        this.newestEndMillis = new AtomicLong(firstEnd.toEpochMilli());
    }

    /** Never moves back: an older run arriving later leaves it. */
    void offer(Instant end) {
        newestEndMillis.accumulateAndGet(end.toEpochMilli(), Math::max);
    }

    double epochSeconds() {
        return newestEndMillis.get() / 1000.0;
    }
}
