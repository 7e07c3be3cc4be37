package io.ingestobs.testsupport;

import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.Thresholds;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Valid topic events made the way the producer makes them, each one distinct, for load and fault tests. */
public final class SyntheticRuns {

    private static final String[] SOURCES = {"PowerBI", "Efficy", "sharepoint_graph", "EasyProjects", "zohobooks"};
    private static final EventRestructurer RESTRUCTURER = new EventRestructurer(Thresholds.DEFAULT);

    private SyntheticRuns() {
    }

    /** Run {@code n}: one of 5 sources, one of {@code objets} objects, FAILED when {@code n % 100 == 0}. */
    public static RunRecord run(long n, int objets, String description) {
        Instant end = Instant.parse("2025-09-15T08:00:00Z").plusMillis(n * 10);
        return new RunRecord(n, SOURCES[(int) (n % SOURCES.length)], "objet-" + (n % objets), "bench",
                n % 100 == 0 ? "FAILED" : "SUCCESS", end.minusMillis(1500), end, 1.5, 0.2, 8_000_000L,
                description, "1-Raw", "akonovia");
    }

    /** Like {@link #run(long, int, String)} over {@code sources} sources: the sample's five, then source-5, ... */
    public static RunRecord run(long n, int objets, int sources, String description) {
        RunRecord run = run(n, objets, description);
        int k = (int) (n % sources);
        String source = k < SOURCES.length ? SOURCES[k] : "source-" + k;
        return new RunRecord(run.id(), source, run.objet(), run.transformation(), run.etat(), run.debut(), run.fin(),
                run.dureeSecondes(), run.cpuTime(), run.memoryUsed(), run.description(), run.zone(), run.entreprise());
    }

    public static byte[] event(RunRecord run) {
        return EventJson.write(RESTRUCTURER.restructure(run));
    }

    /** Publishes runs {@code from} to {@code to - 1} to {@code topic}, keyed by source; returns their bytes. */
    public static List<byte[]> publish(String brokers, String topic, long from, long to, int objets)
            throws Exception {
        return publish(brokers, topic, from, to, objets, SOURCES.length);
    }

    /** As {@link #publish(String, String, long, long, int)}, over {@code sources} sources. */
    public static List<byte[]> publish(String brokers, String topic, long from, long to, int objets, int sources)
            throws Exception {
        List<byte[]> events = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", brokers,
                "linger.ms", 5), new StringSerializer(), new ByteArraySerializer())) {
            for (long n = from; n < to; n++) {
                RunRecord run = run(n, objets, sources, "run " + n);
                byte[] bytes = event(run);
                events.add(bytes);
                producer.send(new ProducerRecord<>(topic, run.source(), bytes));
            }
            producer.flush();
        }
        return events;
    }
}
