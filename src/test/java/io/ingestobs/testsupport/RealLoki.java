package io.ingestobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.launcher.EmbeddedKafkaBroker;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Grafana Loki (the single binary {@code LOKI_BIN} points at: {@code scripts/test.sh} unpacks
 * {@code ../shared/loki} there) started on a configuration of the project's, in a temporary directory on free
 * ports. Tests that need it are skipped, saying why, when {@code LOKI_BIN} is not set (a user's clone has no
 * {@code ../shared}).
 */
public final class RealLoki implements AutoCloseable {

    public static final String SKIPPED = "real-Loki tests skipped: LOKI_BIN is not set (scripts/test.sh sets it when "
            + "../shared/loki/loki-3.7.6-linux-amd64.xz is beside the clone); the Loki-protocol test server covers "
            + "the rest";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path workDir;
    private final String url;

    private RealLoki(Process process, Path workDir, String url) {
        this.process = process;
        this.workDir = workDir;
        this.url = url;
    }

    /** The binary from {@code LOKI_BIN}, or empty (tests then skip with {@link #SKIPPED}). */
    public static Optional<Path> binary() {
        String value = System.getenv("LOKI_BIN");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(value);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException("LOKI_BIN=" + value + " is not an executable file");
        }
        return Optional.of(path);
    }

    /** The project's test configuration (src/test/resources/loki/loki-test-config.yml). */
    public static String testConfig(Path data, int httpPort, int grpcPort) throws IOException {
        return Files.readString(Path.of("src/test/resources/loki/loki-test-config.yml"))
                .replace("@DATA@", data.toString()).replace("@HTTP_PORT@", Integer.toString(httpPort))
                .replace("@GRPC_PORT@", Integer.toString(grpcPort));
    }

    /**
     * compose/loki/loki-config.yml as the stack runs it, only moved: its {@code /loki} directory to {@code data},
     * its ports 3100/9096 to free ones. Fails if the file no longer has what is rewritten.
     */
    public static String composeConfig(Path data, int httpPort, int grpcPort) throws IOException {
        String config = Files.readString(Path.of("compose/loki/loki-config.yml"));
        for (String expected : List.of("http_listen_port: 3100", "grpc_listen_port: 9096", "path_prefix: /loki\n")) {
            if (!config.contains(expected)) {
                throw new IllegalStateException("compose/loki/loki-config.yml no longer has '" + expected.trim()
                        + "': update RealLoki.composeConfig");
            }
        }
        return config.replace("http_listen_port: 3100", "http_listen_port: " + httpPort)
                .replace("grpc_listen_port: 9096", "grpc_listen_port: " + grpcPort)
                .replace("path_prefix: /loki\n", "path_prefix: " + data + "\n")
                .replace(" /loki/", " " + data + "/");
    }

    /** Runs {@code loki -verify-config} on a file, as a user would; returns exit code and output. */
    public static Result verify(Path binary, Path config, boolean expandEnv) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-verify-config",
                "-config.file=" + config));
        if (expandEnv) {
            command.add("-config.expand-env=true");
        }
        Process verify = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(verify.waitFor(), output);
    }

    public record Result(int exitCode, String output) {
    }

    /** Writes the configuration made by {@code config} (given data dir and ports), verifies it, starts Loki. */
    public static RealLoki start(Path binary, String name, ConfigMaker config) throws Exception {
        Path workDir = Files.createTempDirectory("real-loki-" + name);
        int httpPort = EmbeddedKafkaBroker.freePort();
        int grpcPort = EmbeddedKafkaBroker.freePort();
        Path file = workDir.resolve("loki.yml");
        Files.writeString(file, config.make(workDir.resolve("data"), httpPort, grpcPort));
        Result verified = verify(binary, file, true);
        if (verified.exitCode() != 0) {
            throw new IllegalStateException(name + ": loki -verify-config failed:\n" + verified.output());
        }
        Process process = new ProcessBuilder(binary.toString(), "-config.file=" + file, "-config.expand-env=true")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("loki.log").toFile()).start();
        RealLoki loki = new RealLoki(process, workDir, "http://127.0.0.1:" + httpPort);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + ": Loki exited:\n" + loki.logTail());
            }
            try {
                if (Http.get(loki.url + "/ready").statusCode() == 200) {
                    return loki;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        loki.close();
        throw new IllegalStateException(name + ": Loki not ready after 120 s:\n" + loki.logTail());
    }

    @FunctionalInterface
    public interface ConfigMaker {
        String make(Path data, int httpPort, int grpcPort) throws IOException;
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** GET /loki/api/v1/query_range: log or metric query over [start, end]. */
    public JsonNode queryRange(String logql, Instant start, Instant end, Duration step, int limit,
                               String direction) throws Exception {
        return get("/loki/api/v1/query_range?query=" + encode(logql) + "&start=" + nanos(start) + "&end="
                + nanos(end) + "&step=" + step.toSeconds() + "s&limit=" + limit + "&direction=" + direction);
    }

    /** GET /loki/api/v1/query: instant metric query at {@code time}. */
    public JsonNode query(String logql, Instant time) throws Exception {
        return get("/loki/api/v1/query?query=" + encode(logql) + "&time=" + nanos(time));
    }

    private JsonNode get(String path) throws Exception {
        var response = Http.get(url + path);
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(answer.path("status").asText())) {
            throw new AssertionError("Loki answered " + response.statusCode() + " to " + path + ": "
                    + response.body());
        }
        return answer.path("data");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String nanos(Instant instant) {
        return instant.getEpochSecond() + String.format("%09d", instant.getNano());
    }

    public String logTail() {
        return LogFiles.tail(LogFiles.read(workDir.resolve("loki.log")));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
