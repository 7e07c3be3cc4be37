package io.ingestobs.camel;

import io.ingestobs.metrics.RunMetrics;

/** Counts each event of a batch in the run meters, once per Kafka record. */
public final class RunMetricsStage {

    private final RunMetrics metrics;

    public RunMetricsStage(RunMetrics metrics) {
        this.metrics = metrics;
    }

    public void record(ConsumedBatch batch) {
        for (ConsumedEvent consumed : batch.getEvents()) {
            if (consumed.firstDelivery()) {
                metrics.record(consumed.event(), consumed.labels());
            }
        }
    }
}
