package io.ingestobs.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON body of {@code POST /loki/api/v1/push}: entries grouped by stream, in their order. */
public final class LokiPushBody {

    private static final JsonFactory FACTORY = new JsonFactory();

    private LokiPushBody() {
    }

    public static byte[] encode(List<LokiEntry> entries) {
        Map<LokiStream, List<LokiEntry>> byStream = new LinkedHashMap<>();
        for (LokiEntry entry : entries) {
            byStream.computeIfAbsent(entry.stream(), s -> new ArrayList<>()).add(entry);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 700 + 256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("streams");
            for (Map.Entry<LokiStream, List<LokiEntry>> stream : byStream.entrySet()) {
                g.writeStartObject();
                g.writeObjectFieldStart("stream");
                for (Map.Entry<String, String> label : stream.getKey().labels().entrySet()) {
                    g.writeStringField(label.getKey(), label.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("values");
                for (LokiEntry entry : stream.getValue()) {
                    g.writeStartArray();
                    g.writeString(Long.toString(entry.epochNanos()));
                    g.writeString(entry.line());
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
