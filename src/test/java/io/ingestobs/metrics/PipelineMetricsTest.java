package io.ingestobs.metrics;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.RejectReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PipelineMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    @Test
    void readAndPublishedCountersStartAtZeroAndCount() {
        PrometheusText before = scrape();
        assertEquals(0.0, before.value("ingestion_records_read_total", Map.of()));
        assertEquals(0.0, before.value("ingestion_records_published_total", Map.of()));

        for (int i = 0; i < 72; i++) {
            metrics.recordRead();
        }
        for (int i = 0; i < 70; i++) {
            metrics.recordPublished();
        }
        PrometheusText after = scrape();
        assertEquals(72.0, after.value("ingestion_records_read_total", Map.of()));
        assertEquals(70.0, after.value("ingestion_records_published_total", Map.of()));
        assertEquals(72.0, metrics.read());
        assertEquals(70.0, metrics.published());
    }

    @Test
    void deadLettersAreCountedByStageAndReason() {
        metrics.deadLetter(DeadLetter.STAGE_READ, RejectReason.BAD_TIMESTAMP);
        metrics.deadLetter(DeadLetter.STAGE_READ, RejectReason.BAD_TIMESTAMP);
        metrics.deadLetter(DeadLetter.STAGE_READ, RejectReason.MISSING_FIELD);
        metrics.deadLetter(DeadLetter.STAGE_CONSUME, RejectReason.UNREADABLE_EVENT);
        metrics.deadLetter(DeadLetter.STAGE_LOKI, RejectReason.LOKI_REJECTED);
        metrics.deadLetter(DeadLetter.STAGE_LOKI, RejectReason.TOO_LARGE);

        PrometheusText s = scrape();
        assertEquals(2.0, s.value("ingestion_dead_letters_total", Map.of("stage", "read", "reason", "bad_timestamp")));
        assertEquals(1.0, s.value("ingestion_dead_letters_total", Map.of("stage", "read", "reason", "missing_field")));
        assertEquals(1.0, s.value("ingestion_dead_letters_total",
                Map.of("stage", "consume", "reason", "unreadable_event")));
        assertEquals(1.0, s.value("ingestion_dead_letters_total", Map.of("stage", "loki", "reason", "loki_rejected")));
        assertEquals(1.0, s.value("ingestion_dead_letters_total", Map.of("stage", "loki", "reason", "too_large")));
        assertEquals(5, s.all("ingestion_dead_letters_total", Map.of()).size());
        for (PrometheusText.Sample sample : s.all("ingestion_dead_letters_total", Map.of())) {
            assertEquals(Set.of("stage", "reason"), sample.labels().keySet());
        }
        assertEquals(0.0, s.value("ingestion_records_read_total", Map.of()), "dead letters are counted apart");
    }
}
