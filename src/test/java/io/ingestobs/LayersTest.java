package io.ingestobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The layers of the developers' guide, read from the imports of the main sources. */
class LayersTest {

    private static List<String> importsOf(String pkg, String... forbidden) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/ingestobs", pkg))) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.startsWith("import "))
                            .filter(l -> Stream.of(forbidden).anyMatch(l::contains))
                            .map(l -> f.getFileName() + ": " + l);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void theLokiClientKnowsNothingOfTheDomainNorOfCamel() throws IOException {
        assertEquals(List.of(), importsOf("loki", "io.ingestobs.domain", "io.ingestobs.camel",
                "io.ingestobs.metrics", "org.apache.camel"));
    }

    @Test
    void theDomainKnowsNothingOfCamelHttpLokiOrMetrics() throws IOException {
        assertEquals(List.of(), importsOf("domain", "org.apache.camel", "java.net.http", "io.ingestobs.loki",
                "io.ingestobs.metrics", "io.ingestobs.camel", "io.micrometer"));
    }

    @Test
    void metricsAndTheLokiSinkDoNotKnowEachOther() throws IOException {
        assertEquals(List.of(), importsOf("metrics", "io.ingestobs.loki"));
    }
}
