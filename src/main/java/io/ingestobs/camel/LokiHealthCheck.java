package io.ingestobs.camel;

import io.ingestobs.loki.LokiDelivery;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/** The Loki sink's part of {@code /health}: DOWN while Loki keeps failing, UP when off or delivering. */
public final class LokiHealthCheck extends AbstractHealthCheck {

    private final LokiDelivery sink;

    public LokiHealthCheck(LokiDelivery sink) {
        super("ingestion", "loki-sink");
        this.sink = sink;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!sink.enabled()) {
            builder.detail("loki", sink.toString()).up();
            return;
        }
        if (sink.state() == LokiDelivery.State.FAILING) {
            builder.message("Loki is failing: " + sink.lastError()).down();
        } else {
            builder.up();
        }
    }
}
