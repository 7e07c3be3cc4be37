package io.ingestobs.loki;

import java.util.LinkedHashMap;
import java.util.Map;

/** The stream labels of SPEC §5; {@code objet} stays in the line, where it costs Loki no stream. */
public record LokiStream(String source, String etat, String zone, String entreprise, String level) {

    public static final String JOB = "ingestion-logs";

    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("job", JOB);
        labels.put("source", source);
        labels.put("etat", etat);
        labels.put("zone", zone);
        labels.put("entreprise", entreprise);
        labels.put("level", level);
        return labels;
    }
}
