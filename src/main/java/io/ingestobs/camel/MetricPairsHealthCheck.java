package io.ingestobs.camel;

import io.ingestobs.metrics.PairBudget;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * The pair budget's part of {@code /health}: a warning, not DOWN, once runs are folded into {@code __other__}.
 * Camel's health states are UP, DOWN and UNKNOWN only; a warning is UP with a message, which the full exposure
 * level of {@code /health} shows. Every run is still counted, so the consumer stays ready: taking it out of
 * service would lose more than the per-objet detail.
 */
public final class MetricPairsHealthCheck extends AbstractHealthCheck {

    private final PairBudget budget;

    public MetricPairsHealthCheck(PairBudget budget) {
        super("ingestion", "metric-pairs");
        this.budget = budget;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long folded = budget.foldedRuns();
        builder.detail("pairs", budget.pairs()).detail("max_pairs", budget.maxPairs()).detail("folded_runs", folded);
        if (folded > 0) {
            // no double quotes: Camel writes the message into the health JSON as it is
            builder.message("WARNING: METRICS_MAX_PAIRS (" + budget.maxPairs() + ") reached, " + folded
                    + " runs of newer source/objet pairs counted under objet __other__ of their source"
                    + " (source counts exact). Raise METRICS_MAX_PAIRS with the heap (README, configuration)"
                    + " or fix the connector writing ids into Objet.");
        }
        builder.up();
    }
}
