package io.ingestobs.monitoring;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/** The rule files load in Prometheus and pass their unit tests ({@code promtool}, from Debian's package). */
class PrometheusRulesTest {

    @Test
    void ruleFilesAreValid() throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool(), "check", "rules"));
        command.addAll(files(Path.of("prometheus-rules")));
        assertSucceeds(command);
    }

    @Test
    void ruleUnitTestsPass() throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool(), "test", "rules"));
        List<String> tests = files(Path.of("prometheus-rules", "tests"));
        assertFalse(tests.isEmpty(), "no rule tests under prometheus-rules/tests");
        command.addAll(tests);
        assertSucceeds(command);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> paths = Files.list(dir)) {
            return paths.filter(p -> p.toString().endsWith(".yml")).sorted().map(Path::toString).toList();
        }
    }

    private static void assertSucceeds(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> String.join(" ", command) + "\n" + output);
    }

    private static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        fail("promtool is not installed: bash scripts/test.sh installs it (apt-get install prometheus)");
        return null;
    }
}
