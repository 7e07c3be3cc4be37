package io.ingestobs.camel;

import io.ingestobs.loki.LokiSink;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/** The Loki sink's part of {@code /health}: DOWN while Loki keeps failing, UP when off or delivering. */
public final class LokiHealthCheck extends AbstractHealthCheck {

    private final LokiSink sink;

    /** @param sink null when the Loki stage is off */
    public LokiHealthCheck(LokiSink sink) {
        super("ingestion", "loki-sink");
        this.sink = sink;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (sink == null) {
            builder.detail("loki", "off (LOKI_URL unset)").up();
            return;
        }
        if (sink.state() == LokiSink.State.FAILING) {
            builder.message("Loki is failing: " + sink.lastError()).down();
        } else {
            builder.up();
        }
    }
}
