package io.ingestobs.camel;

import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.ReplayPacer;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One pass of the producer over one input file: its counts, its pace, and the lines a person
 * watching it reads (SPEC §6): {@code Chargé N entrées...}, progress on long files, {@code Producteur terminé...}.
 */
public final class FileIngestion {

    /** The exchange property that carries the pass through the split and the dead-letter route. */
    public static final String PROPERTY = "ingestionFile";
    private static final Logger LOG = LoggerFactory.getLogger("ingestion.producer");
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String file;
    private final long records;
    private final long fileBytes;
    private final ReplayPacer pacer;
    private final InputRecordStream stream;
    private final KafkaRecordLimit recordLimit;
    private final GroupsInFlight groups;
    private final long startNanos = System.nanoTime();
    private long lastProgressNanos = startNanos;
    private long read;
    private long published;
    private long rejected;

    FileIngestion(String file, long records, long fileBytes, ReplayPacer pacer, InputRecordStream stream,
                  KafkaRecordLimit recordLimit, GroupsInFlight groups) {
        this.file = file;
        this.records = records;
        this.fileBytes = fileBytes;
        this.pacer = pacer;
        this.stream = stream;
        this.recordLimit = recordLimit;
        this.groups = groups;
        LOG.info("Chargé {} entrées de log depuis {}", records, file);
    }

    /** The pass {@code exchange} belongs to (a file's exchange, its groups, their dead letters); null outside one. */
    static FileIngestion of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, FileIngestion.class);
    }

    ReplayPacer pacer() {
        return pacer;
    }

    GroupsInFlight groups() {
        return groups;
    }

    KafkaRecordLimit recordLimit() {
        return recordLimit;
    }

    synchronized void read(int count) {
        read += count;
        long now = System.nanoTime();
        if (now - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
            lastProgressNanos = now;
            double seconds = (now - startNanos) / 1e9;
            long percent = fileBytes > 0 ? Math.min(100, stream.bytesRead() * 100 / fileBytes) : 100;
            LOG.info("Progression {}: {}/{} entrées ({} %), {} entrées/s", file, read, records, percent,
                    Math.round(read / seconds));
        }
    }

    synchronized void published(int count) {
        published += count;
    }

    synchronized void rejected() {
        rejected++;
    }

    synchronized long readCount() {
        return read;
    }

    synchronized long publishedCount() {
        return published;
    }

    synchronized long rejectedCount() {
        return rejected;
    }

    void finish() {
        LOG.info("Producteur terminé: {} succès, {} erreurs", publishedCount(), rejectedCount());
        LOG.info("{}: {} records read, {} published, {} rejected", file, readCount(), publishedCount(),
                rejectedCount());
    }
}
