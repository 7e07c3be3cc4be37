package io.ingestobs.bench;

import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The bench's synthetic connector runs: 5 sources, 3,000 distinct Objet values, 1 % FAILED, realistic durations,
 * CPU and memory. Record {@code i} is always the same run (seeded by {@code i}), so every phase sees the same data.
 * Events are made as the producer makes them: {@link EventRestructurer} then {@link EventJson#write}.
 */
final class Synth {

    static final String[] SOURCES = {"PowerBI", "Efficy", "sharepoint_graph", "EasyProjects", "zohobooks"};
    static final String[] TRANSFORMATIONS = {"PowerBI_API_get_data", "Efficy_API_extract",
            "SharePoint_Graph_sync", "EasyProjects_API_get_data", "ZohoBooks_API_get_data"};
    static final int OBJETS = 3_000;
    private static final Instant BASE = Instant.parse("2025-09-15T00:00:00Z");
    private static final DateTimeFormatter INPUT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final EventRestructurer RESTRUCTURER = new EventRestructurer(Thresholds.DEFAULT);

    private Synth() {
    }

    /** Run {@code i}; {@code id} is its objet.id (the objet's number, or a sequence number for latency probes). */
    static RunRecord run(long i, Long id) {
        SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 17);
        int source = r.nextInt(SOURCES.length);
        int objet = r.nextInt(OBJETS);
        boolean failed = r.nextInt(100) == 0;
        double duration = Math.round((0.5 + r.nextDouble() * (r.nextInt(50) == 0 ? 900 : 5)) * 1e6) / 1e6;
        Instant fin = BASE.plusMillis(i * 37 + r.nextInt(1000));
        Instant debut = fin.minusMillis((long) (duration * 1000));
        double cpu = Math.round(r.nextDouble() * duration * 40) / 100.0;
        long memory = 1_000_000L + r.nextLong(r.nextInt(100) == 0 ? 400_000_000L : 30_000_000L);
        String name = "obj_" + objet;
        String description = failed ? "HTTP 500 de l'API sur " + name + ": Internal Server Error"
                : (r.nextInt(5000) + " objets " + name + " ingérés");
        return new RunRecord(id == null ? (long) objet : id, SOURCES[source], name, TRANSFORMATIONS[source],
                failed ? "FAILED" : "SUCCESS", debut, fin, duration, cpu, memory, description, "1-Raw", "akonovia");
    }

    /** The topic event of run {@code i}, as the producer writes it (SPEC §3). */
    static byte[] event(RunRecord run) {
        return EventJson.write(RESTRUCTURER.restructure(run));
    }

    /** Run {@code i} as a connector writes it, one JSON Lines line (SPEC §2). */
    static String inputLine(RunRecord run) {
        return "{\"id\":" + run.id() + ",\"Source\":\"" + run.source() + "\",\"Objet\":\"" + run.objet()
                + "\",\"Transformation\":\"" + run.transformation() + "\",\"Etat\":\"" + run.etat()
                + "\",\"Debut\":\"" + INPUT_TIME.format(run.debut()) + "\",\"Fin\":\"" + INPUT_TIME.format(run.fin())
                + "\",\"Duree secondes\":" + run.dureeSecondes() + ",\"cpu_time\":" + run.cpuTime()
                + ",\"memory_used\":" + run.memoryUsed() + ",\"Description\":\"" + run.description()
                + "\",\"zone\":\"" + run.zone() + "\",\"entreprise\":\"" + run.entreprise() + "\"}";
    }

    static String key(RunRecord run) {
        return run.source();
    }
}
