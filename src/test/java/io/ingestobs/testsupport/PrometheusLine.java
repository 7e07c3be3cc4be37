package io.ingestobs.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus release line the rules and the dashboard are tested on (SPEC §10: the current LTS and the previous
 * major): Debian bookworm's installed 2.42, and Debian sid's 3.5 LTS that {@code scripts/fetch-sid-monitoring.sh}
 * unpacks under {@code target/debian-sid} (paths from {@code PROMETHEUS3_BIN} / {@code PROMTOOL3_BIN}, set by
 * {@code scripts/test.sh}).
 */
public record PrometheusLine(String name, String versionPrefix, Optional<Path> prometheus, Optional<Path> promtool,
                             String howToGetIt) {

    private static final Pattern VERSION = Pattern.compile("version (\\S+)");
    private static final Path SID_BIN = Path.of("target", "debian-sid", "root", "usr", "bin");

    public static List<PrometheusLine> all() {
        return List.of(bookworm(), sidLts());
    }

    public static PrometheusLine bookworm() {
        return new PrometheusLine("Prometheus 2.x (Debian bookworm)", "2.", onPath("prometheus"), onPath("promtool"),
                "bash scripts/test.sh installs it (apt-get install prometheus)");
    }

    public static PrometheusLine sidLts() {
        return new PrometheusLine("Prometheus 3.5 LTS (Debian sid)", "3.",
                fromEnvOr("PROMETHEUS3_BIN", SID_BIN.resolve("prometheus")),
                fromEnvOr("PROMTOOL3_BIN", SID_BIN.resolve("promtool")),
                "bash scripts/test.sh fetches it (scripts/fetch-sid-monitoring.sh)");
    }

    /** Debian bookworm's Alertmanager (0.25), installed by scripts/test.sh. */
    public static Path bookwormAlertmanager() {
        return onPath("prometheus-alertmanager").orElseThrow(() -> new IllegalStateException(
                "prometheus-alertmanager is missing: bash scripts/test.sh installs it"));
    }

    /** Debian sid's Alertmanager (0.33), unpacked by scripts/fetch-sid-monitoring.sh. */
    public static Path sidAlertmanager() {
        return fromEnvOr("ALERTMANAGER_SID_BIN", SID_BIN.resolve("prometheus-alertmanager"))
                .orElseThrow(() -> new IllegalStateException("Debian sid's Alertmanager is missing: "
                        + "bash scripts/test.sh fetches it (scripts/fetch-sid-monitoring.sh)"));
    }

    public Path prometheusBinary() {
        return prometheus.orElseThrow(() -> new IllegalStateException(
                name + ": prometheus is missing; " + howToGetIt));
    }

    public Path promtoolBinary() {
        return promtool.orElseThrow(() -> new IllegalStateException(name + ": promtool is missing; " + howToGetIt));
    }

    /** Runs {@code binary --version} and checks it is this line's release, so one line is never tested twice. */
    public static String versionOf(Path binary) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Matcher matcher = VERSION.matcher(output);
        return matcher.find() ? matcher.group(1) : "unknown: " + output;
    }

    public String checkedVersion(Path binary) throws IOException, InterruptedException {
        String version = versionOf(binary);
        if (!version.startsWith(versionPrefix)) {
            throw new IllegalStateException(binary + " is version " + version + ", not of the " + name + " line");
        }
        return version;
    }

    @Override
    public String toString() {
        return name;
    }

    static Optional<Path> fromEnvOr(String variable, Path fallback) {
        String value = System.getenv(variable);
        Path path = value == null || value.isBlank() ? fallback.toAbsolutePath() : Path.of(value);
        return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }

    static Optional<Path> onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
