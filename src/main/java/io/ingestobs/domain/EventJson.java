package io.ingestobs.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
            if (e.descriptionTruncated()) {
                // only when cut: every other event keeps the bytes it always had (SPEC §3)
                g.writeBooleanField("description_truncated", true);
                g.writeNumberField("description_bytes", e.descriptionBytes().longValue());
            }
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
        // the form write gives, read without a parser; then any other well-formed event, with the streaming parser
        IngestionEvent event = CanonicalEventReader.read(bytes);
        if (event == null) {
            event = readStreaming(bytes);
        }
        // anything unusual (an error, a missing or odd field, a repeated name) is read again as a tree, whose
        // answer, event or refusal, is the reference
        return event != null ? event : readTree(bytes);
    }

    /**
     * The consumer's hot path: one pass of the streaming parser, no tree. Returns null whenever the event is not
     * plainly well-formed, leaving every error and every corner case to {@link #readTree}; when it returns an
     * event, it is the event {@link #readTree} would return.
     */
    static IngestionEvent readStreaming(byte[] bytes) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Streamed e = new Streamed();
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                int bit = switch (name) {
                    case "@timestamp" -> {
                        e.timestamp = string(p, t);
                        yield 1;
                    }
                    case "source" -> {
                        if (t != JsonToken.START_OBJECT) {
                            yield -1;
                        }
                        e.source(p);
                        yield 2;
                    }
                    case "objet" -> {
                        if (t != JsonToken.START_OBJECT) {
                            yield -1;
                        }
                        e.objet(p);
                        yield 4;
                    }
                    case "etat" -> {
                        e.etat = string(p, t);
                        yield 8;
                    }
                    case "debut" -> {
                        e.debut = string(p, t);
                        yield 16;
                    }
                    case "fin" -> {
                        e.fin = string(p, t);
                        yield 32;
                    }
                    case "description" -> {
                        e.description = string(p, t);
                        yield 64;
                    }
                    case "description_bytes" -> {
                        e.descriptionBytes = Streamed.integer(p, t);
                        yield 1024;
                    }
                    case "performance" -> {
                        if (t != JsonToken.START_OBJECT) {
                            yield -1;
                        }
                        e.performance(p);
                        yield 128;
                    }
                    case "labels" -> {
                        if (t != JsonToken.START_OBJECT) {
                            yield -1;
                        }
                        e.labels(p);
                        yield 256;
                    }
                    case "metrics" -> {
                        if (t != JsonToken.START_OBJECT) {
                            yield -1;
                        }
                        e.metrics(p);
                        yield 512;
                    }
                    default -> {
                        p.skipChildren();
                        yield 0;
                    }
                };
                if (bit < 0 || (seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
            }
            return p.currentToken() == JsonToken.END_OBJECT ? e.toEvent() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A string, or null for JSON null; anything else marks the event odd. */
    private static String string(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            throw new OddEvent();
        }
        return null;
    }

    /** Thrown inside the streaming pass only: hand the event to the tree reader. */
    private static final class OddEvent extends RuntimeException {
        OddEvent() {
            super(null, null, false, false);
        }
    }

    /** The fields the streaming pass collects, and the checks {@link #readTree} makes on them. */
    private static final class Streamed {
        String timestamp;
        String source;
        Long objetId;
        String objet;
        String transformation;
        String etat;
        String debut;
        String fin;
        String description;
        Long descriptionBytes;
        Double duree;
        Double cpu;
        Long memory;
        String zone;
        String entreprise;
        boolean highMemory;
        boolean highCpu;

        void source(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                if (name.equals("name")) {
                    seen = once(seen, 1);
                    source = string(p, t);
                } else {
                    p.skipChildren();
                }
            }
            ended(p);
        }

        void objet(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> {
                        seen = once(seen, 1);
                        objetId = integer(p, t);
                    }
                    case "name" -> {
                        seen = once(seen, 2);
                        objet = string(p, t);
                    }
                    case "transformation" -> {
                        seen = once(seen, 4);
                        transformation = string(p, t);
                    }
                    default -> p.skipChildren();
                }
            }
            ended(p);
        }

        void performance(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "duree_secondes" -> {
                        seen = once(seen, 1);
                        duree = decimal(p, t);
                    }
                    case "cpu_time_sec" -> {
                        seen = once(seen, 2);
                        cpu = decimal(p, t);
                    }
                    case "memory_used_bytes" -> {
                        seen = once(seen, 4);
                        memory = integer(p, t);
                    }
                    default -> p.skipChildren();
                }
            }
            ended(p);
        }

        void labels(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "zone" -> {
                        seen = once(seen, 1);
                        zone = string(p, t);
                    }
                    case "entreprise" -> {
                        seen = once(seen, 2);
                        entreprise = string(p, t);
                    }
                    default -> p.skipChildren();
                }
            }
            ended(p);
        }

        void metrics(JsonParser p) throws IOException {
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "high_memory_usage" -> {
                        seen = once(seen, 1);
                        highMemory = flag(p, t);
                    }
                    case "high_cpu_usage" -> {
                        seen = once(seen, 2);
                        highCpu = flag(p, t);
                    }
                    default -> p.skipChildren();
                }
            }
            ended(p);
        }

        private static void ended(JsonParser p) {
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new OddEvent();
            }
        }

        private static int once(int seen, int bit) {
            if ((seen & bit) != 0) {
                throw new OddEvent();
            }
            return seen | bit;
        }

        /** A whole number the tree reader would read the same; null for JSON null. */
        private static Long integer(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == JsonToken.VALUE_NUMBER_INT && (p.getNumberType() == JsonParser.NumberType.INT
                    || p.getNumberType() == JsonParser.NumberType.LONG)) {
                return p.getLongValue();
            }
            throw new OddEvent();
        }

        private static Double decimal(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT || (t == JsonToken.VALUE_NUMBER_INT
                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER)) {
                return p.getDoubleValue();
            }
            throw new OddEvent();
        }

        /** The 0/1 flags as the writer writes them; any other form is left to the tree reader. */
        private static boolean flag(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                int value = p.getIntValue();
                if (value == 0 || value == 1) {
                    return value == 1;
                }
            }
            throw new OddEvent();
        }

        /** The event, or null when a required field is missing or empty or an instant is not canonical. */
        IngestionEvent toEvent() {
            if (timestamp == null || isEmpty(source) || isEmpty(objet) || isEmpty(etat) || isEmpty(zone)
                    || isEmpty(entreprise)) {
                return null;
            }
            Instant at = instant(timestamp);
            Instant start = debut == null ? null : instant(debut);
            Instant end = fin == null ? null : instant(fin);
            if (at == null || (debut != null && start == null) || (fin != null && end == null)) {
                return null;
            }
            return new IngestionEvent(at, source, objetId, objet, transformation, etat, start, end, description,
                    descriptionBytes, duree, cpu, memory, zone, entreprise, highMemory, highCpu);
        }

        private static boolean isEmpty(String value) {
            return value == null || value.isEmpty();
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, the form {@link #write} gives, read without a formatter; any other text,
     * or a field out of its plain range, goes through {@link Instant#parse}. Null when that fails too.
     */
    static Instant instant(CharSequence text) {
        if (text.length() == 24 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.'
                && text.charAt(23) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 2);
            int day = digits(text, 8, 2);
            int hour = digits(text, 11, 2);
            int minute = digits(text, 14, 2);
            int second = digits(text, 17, 2);
            int millis = digits(text, 20, 3);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour <= 23 && minute >= 0
                    && minute <= 59 && second >= 0 && second <= 59 && millis >= 0
                    && day <= java.time.YearMonth.of(year, month).lengthOfMonth()) {
                long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second,
                        millis * 1_000_000L);
            }
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The number written with {@code count} ASCII digits at {@code from}; -1 if one is not a digit. */
    private static int digits(CharSequence text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The reference reader: the whole event as a tree, every check with its message. */
    static IngestionEvent readTree(byte[] bytes) throws EventFormatException {
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
                longOrNull(root.get("description_bytes")),
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
