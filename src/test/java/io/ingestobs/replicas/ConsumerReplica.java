package io.ingestobs.replicas;

import io.ingestobs.testsupport.LogFiles;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@code ROLE=consumer} process of the packaged jar with the image's JVM options, its output in a file. */
final class ConsumerReplica {

    private final String name;
    private final Process process;
    private final Path log;

    private ConsumerReplica(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ConsumerReplica start(String name, int metricsPort, Map<String, String> environment) throws Exception {
        Path log = Files.createTempFile("replica-" + name, ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError",
                "-jar", "target/ingestion-observability.jar")
                .directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("ROLE", "consumer");
        builder.environment().put("METRICS_PORT", Integer.toString(metricsPort));
        return new ConsumerReplica(name, builder.start(), log);
    }

    /** SIGTERM: what an orchestrator sends to stop a replica. */
    void stop() {
        process.destroy();
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        return LogFiles.read(log);
    }

    @Override
    public String toString() {
        return "replica " + name;
    }
}
