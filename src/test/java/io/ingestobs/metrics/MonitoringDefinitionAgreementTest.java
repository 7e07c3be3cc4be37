package io.ingestobs.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.Thresholds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline agrees with the one monitoring definition (tools/dashboard/monitoring.config.mjs), through the file its
 * generator writes beside the rules, prometheus-rules/thresholds.json (SPEC §7: thresholds defined once): the
 * HIGH_* defaults of the events' flags, and the histogram bucket edges the alerts compare their p95 with (a threshold
 * that falls inside a bucket would let runs below it push the interpolated quantile over it).
 */
class MonitoringDefinitionAgreementTest {

    private static final Path DEFINITION = Path.of("prometheus-rules", "thresholds.json");
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\{\\{env:(\\w+):([^}]*)}}");

    private static JsonNode definition() throws IOException {
        assertTrue(Files.exists(DEFINITION), DEFINITION + " missing: run `node generate.mjs` in tools/dashboard");
        return new ObjectMapper().readTree(DEFINITION.toFile());
    }

    @Test
    void thresholdDefaultsOfTheDomainAreTheDefinitions() throws IOException {
        JsonNode defaults = definition().path("pipelineDefaults");
        assertEquals(defaults.path("HIGH_MEMORY_BYTES").longValue(), Thresholds.DEFAULT.highMemoryBytes());
        assertEquals(defaults.path("HIGH_CPU_SECONDS").doubleValue(), Thresholds.DEFAULT.highCpuSeconds());
    }

    @Test
    void applicationPropertiesDefaultTheEnvironmentVariablesToTheDefinitions() throws IOException {
        JsonNode defaults = definition().path("pipelineDefaults");
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        for (Map.Entry<String, String> property : Map.of("thresholds.highMemoryBytes", "HIGH_MEMORY_BYTES",
                "thresholds.highCpuSeconds", "HIGH_CPU_SECONDS").entrySet()) {
            String value = properties.getProperty(property.getKey());
            Matcher m = ENV_DEFAULT.matcher(value == null ? "" : value);
            assertTrue(m.matches(), property.getKey() + " = " + value);
            assertEquals(property.getValue(), m.group(1), property.getKey());
            assertEquals(defaults.path(property.getValue()).doubleValue(), Double.parseDouble(m.group(2)),
                    property.getKey() + " default");
        }
    }

    @Test
    void theThresholdsTheAlertsCompareQuantilesWithAreBucketEdges() throws IOException {
        JsonNode edges = definition().path("bucketEdges");
        Map<String, double[]> buckets = Map.of("ingestion_memory_usage_bytes", RunMetrics.MEMORY_BUCKETS,
                "ingestion_cpu_usage_seconds", RunMetrics.CPU_BUCKETS,
                "ingestion_duration_seconds", RunMetrics.DURATION_BUCKETS);
        assertEquals(buckets.keySet(), names(edges.fieldNames()), "histograms named in " + DEFINITION);
        edges.fields().forEachRemaining(histogram -> histogram.getValue().forEach(edge -> assertTrue(
                Arrays.stream(buckets.get(histogram.getKey())).anyMatch(b -> b == edge.doubleValue()),
                histogram.getKey() + ": " + edge + " is not a bucket edge of "
                        + Arrays.toString(buckets.get(histogram.getKey())))));
    }

    private static Set<String> names(Iterator<String> names) {
        Set<String> out = new TreeSet<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
