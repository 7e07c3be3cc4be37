package io.ingestobs.monitoring;

import io.ingestobs.testsupport.PrometheusLine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The rule files load in Prometheus and pass their unit tests, with the {@code promtool} of each Prometheus line
 * the stack supports (SPEC §10: 3.5 LTS and 2.x, from Debian's packages).
 */
class PrometheusRulesTest {

    static List<PrometheusLine> lines() {
        return PrometheusLine.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void ruleFilesAreValid(PrometheusLine line) throws Exception {
        List<String> command = new ArrayList<>(List.of(line.promtoolBinary().toString(), "check", "rules"));
        command.addAll(files(Path.of("prometheus-rules")));
        assertSucceeds(command);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void ruleUnitTestsPass(PrometheusLine line) throws Exception {
        System.out.println("promtool " + line.checkedVersion(line.promtoolBinary()) + " (" + line + ")");
        List<String> command = new ArrayList<>(List.of(line.promtoolBinary().toString(), "test", "rules"));
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
}
