package io.ingestobs.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The wire form of {@link IngestionEvent}: field order and number formats fixed, so that the same event always
 * gives the same bytes (Loki drops a re-sent line only when it is byte-identical).
 */
public final class EventJson {

    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private EventJson() {
    }

    public static String formatInstant(Instant instant) {
        return UTC_MILLIS.format(instant);
    }

    public static byte[] write(IngestionEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", formatInstant(e.timestamp()));
            g.writeStringField("@version", "1");
            g.writeObjectFieldStart("event");
            g.writeStringField("dataset", "ingestion-logs");
            g.writeStringField("kind", "event");
            g.writeStringField("outcome", e.outcome());
            g.writeEndObject();
            g.writeObjectFieldStart("source");
            g.writeStringField("name", e.source());
            g.writeStringField("type", "api");
            g.writeEndObject();
            g.writeObjectFieldStart("objet");
            writeNumber(g, "id", e.objetId());
            g.writeStringField("name", e.objet());
            g.writeStringField("transformation", e.transformation());
            g.writeEndObject();
            g.writeStringField("etat", e.etat());
            g.writeStringField("debut", e.debut() == null ? null : formatInstant(e.debut()));
            g.writeStringField("fin", e.fin() == null ? null : formatInstant(e.fin()));
            g.writeStringField("description", e.description());
            g.writeObjectFieldStart("performance");
            writeNumber(g, "duree_secondes", e.dureeSecondes());
            writeNumber(g, "cpu_time_sec", e.cpuTimeSec());
            writeNumber(g, "memory_used_bytes", e.memoryUsedBytes());
            writeNumber(g, "memory_used_mb", e.memoryUsedMb());
            g.writeEndObject();
            g.writeObjectFieldStart("labels");
            g.writeStringField("etat", e.etat());
            g.writeStringField("source", e.source());
            g.writeStringField("zone", e.zone());
            g.writeStringField("entreprise", e.entreprise());
            g.writeEndObject();
            g.writeObjectFieldStart("metrics");
            g.writeNumberField("is_failed", e.failed() ? 1 : 0);
            g.writeNumberField("is_success", e.succeeded() ? 1 : 0);
            g.writeNumberField("high_memory_usage", e.highMemoryUsage() ? 1 : 0);
            g.writeNumberField("high_cpu_usage", e.highCpuUsage() ? 1 : 0);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static void writeNumber(JsonGenerator g, String field, Number value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else if (value instanceof Long l) {
            g.writeNumberField(field, l);
        } else {
            g.writeNumberField(field, value.doubleValue());
        }
    }

    public static IngestionEvent read(byte[] bytes) throws EventFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new EventFormatException("empty record");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new EventFormatException("not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new EventFormatException("not a JSON object");
        }
        Instant timestamp = instant(root, "@timestamp", true);
        JsonNode labels = root.path("labels");
        JsonNode metrics = root.path("metrics");
        JsonNode performance = root.path("performance");
        return new IngestionEvent(timestamp,
                text(root.path("source"), "source.name", "name", true),
                longOrNull(root.path("objet").get("id")),
                text(root.path("objet"), "objet.name", "name", true),
                text(root.path("objet"), "objet.transformation", "transformation", false),
                text(root, "etat", "etat", true),
                instant(root, "debut", false), instant(root, "fin", false),
                text(root, "description", "description", false),
                doubleOrNull(performance.get("duree_secondes")),
                doubleOrNull(performance.get("cpu_time_sec")),
                longOrNull(performance.get("memory_used_bytes")),
                text(labels, "labels.zone", "zone", true),
                text(labels, "labels.entreprise", "entreprise", true),
                metrics.path("high_memory_usage").asInt() == 1,
                metrics.path("high_cpu_usage").asInt() == 1);
    }

    private static String text(JsonNode parent, String path, String field, boolean required)
            throws EventFormatException {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new EventFormatException(path + ": missing");
            }
            return null;
        }
        if (!value.isTextual() || (required && value.textValue().isEmpty())) {
            throw new EventFormatException(path + ": not a non-empty string");
        }
        return value.textValue();
    }

    private static Instant instant(JsonNode root, String field, boolean required) throws EventFormatException {
        String text = text(root, field, field, required);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new EventFormatException(field + ": '" + text + "' is not an ISO-8601 instant");
        }
    }

    private static Double doubleOrNull(JsonNode value) {
        return value == null || !value.isNumber() ? null : value.doubleValue();
    }

    private static Long longOrNull(JsonNode value) {
        return value == null || !value.isNumber() ? null : value.longValue();
    }
}
