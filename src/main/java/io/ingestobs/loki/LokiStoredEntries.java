package io.ingestobs.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which entries Loki holds already (same stream, time and line), asked before sending again what may have reached
 * it: one query_range per stream over the entries' own time span ({@code data.result[].values[]} = [ns, line]).
 * Needs the querier to see the ingester's recent data for any time range (SPEC §10:
 * {@code query_store_max_look_back_period: -1ns} in single-binary mode); where it does not, old entries are not
 * found and are sent again, as without this check.
 */
public final class LokiStoredEntries {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Loki's default max_entries_limit_per_query: a larger limit would be refused. */
    private static final int MAX_QUERY_ENTRIES = 5000;

    private final LokiQueries queries;

    public LokiStoredEntries(LokiQueries queries) {
        this.queries = queries;
    }

    /**
     * Empty: Loki did not answer (still stalled or down), ask again later. A Loki that will not be queried (4xx,
     * e.g. credentials allowed to push only) or an answer that cannot be read gives an empty set: the entries are
     * then sent again whole, as they would be without this check.
     */
    public Optional<Set<LokiEntry>> find(List<LokiEntry> entries) {
        Map<LokiStream, List<LokiEntry>> byStream = new LinkedHashMap<>();
        entries.forEach(e -> byStream.computeIfAbsent(e.stream(), s -> new ArrayList<>()).add(e));
        Set<LokiEntry> stored = new HashSet<>();
        for (Map.Entry<LokiStream, List<LokiEntry>> stream : byStream.entrySet()) {
            List<LokiEntry> own = stream.getValue();
            long start = own.stream().mapToLong(LokiEntry::epochNanos).min().orElseThrow();
            long end = own.stream().mapToLong(LokiEntry::epochNanos).max().orElseThrow() + 1;
            int limit = Math.min(MAX_QUERY_ENTRIES, own.size() * 2 + 10);
            LokiResponse response = queries.queryRange("query=" + encode(selector(stream.getKey().labels()))
                    + "&start=" + start + "&end=" + end + "&limit=" + limit + "&direction=forward");
            if (response.retryable()) {
                return Optional.empty(); // not ready to answer yet: ask again later
            }
            if (response.status() != 200) {
                return Optional.of(Set.of()); // not allowed to query: send again whole
            }
            Set<String> found = new HashSet<>();
            try {
                for (JsonNode result : JSON.readTree(response.body()).path("data").path("result")) {
                    for (JsonNode value : result.path("values")) {
                        found.add(value.get(0).asText() + "\n" + value.get(1).asText());
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                return Optional.of(Set.of());
            }
            for (LokiEntry entry : own) {
                if (found.contains(entry.epochNanos() + "\n" + entry.line())) {
                    stored.add(entry);
                }
            }
        }
        return Optional.of(stored);
    }

    static String selector(Map<String, String> labels) {
        StringBuilder selector = new StringBuilder("{");
        labels.forEach((name, value) -> selector.append(selector.length() > 1 ? ", " : "").append(name)
                .append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        return selector.append('}').toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
