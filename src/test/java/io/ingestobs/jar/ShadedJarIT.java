package io.ingestobs.jar;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service files several dependencies ship under one name are merged in the one jar, not overwritten: Camel's
 * type-converter loaders and java.util.ServiceLoader files hold, in the jar, every line each dependency's copy holds
 * (read from the dependency jars on this test's classpath).
 */
class ShadedJarIT {

    private static Set<String> lines(InputStream in) throws IOException {
        Set<String> lines = new TreeSet<>();
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
            String entry = line.replaceAll("#.*", "").trim();
            if (!entry.isEmpty()) {
                lines.add(entry);
            }
        }
        return lines;
    }

    /** The lines of {@code resource} in the dependency jars of the test classpath that are shaded into the jar. */
    private static Set<String> onClasspath(String resource, Set<String> shadedArtifacts) throws IOException {
        Set<String> lines = new TreeSet<>();
        for (URL url : Collections.list(ShadedJarIT.class.getClassLoader().getResources(resource))) {
            // jar:file:/.../<artifactId>/<version>/<artifactId>-<version>.jar!/META-INF/...: test-scope jars
            // (camel-test and what it brings) are on this classpath but not in the application
            String path = url.getPath();
            if (url.getProtocol().equals("jar")) {
                java.nio.file.Path file = java.nio.file.Path.of(java.net.URI.create(path.substring(0, path.indexOf("!/"))));
                if (!shadedArtifacts.contains(file.getParent().getParent().getFileName().toString())) {
                    continue;
                }
            }
            try (InputStream in = url.openStream()) {
                lines.addAll(lines(in));
            }
        }
        return lines;
    }

    /** Artifact ids whose pom.properties the shade plugin carried into the jar. */
    private static Set<String> shadedArtifacts(JarFile jar) {
        Set<String> ids = new TreeSet<>();
        for (ZipEntry entry : Collections.list(jar.entries())) {
            String[] parts = entry.getName().split("/");
            if (parts.length == 5 && parts[0].equals("META-INF") && parts[1].equals("maven")
                    && parts[4].equals("pom.properties")) {
                ids.add(parts[3]);
            }
        }
        return ids;
    }

    @Test
    void everyDependencysServiceFileLinesAreInTheJar() throws IOException {
        try (JarFile jar = new JarFile("target/ingestion-observability.jar")) {
            Set<String> shaded = shadedArtifacts(jar);
            assertTrue(shaded.contains("camel-kafka") && shaded.contains("log4j-core"), shaded.toString());
            Set<String> merged = new TreeSet<>();
            for (ZipEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                boolean serviceLoaderFile = name.startsWith("META-INF/services/") && !entry.isDirectory()
                        && name.indexOf('/', "META-INF/services/".length()) < 0;
                if (serviceLoaderFile || name.equals("META-INF/services/org/apache/camel/TypeConverterLoader")) {
                    merged.add(name);
                    Set<String> expected = onClasspath(name, shaded);
                    try (InputStream in = jar.getInputStream(entry)) {
                        Set<String> inJar = lines(in);
                        assertTrue(inJar.containsAll(expected), name + ": missing " + difference(expected, inJar));
                    }
                }
            }
            assertTrue(merged.contains("META-INF/services/org/apache/camel/TypeConverterLoader"), merged.toString());
            assertTrue(onClasspath("META-INF/services/org/apache/camel/TypeConverterLoader", shaded).size() > 5,
                    "several dependencies contribute converters");
            assertNotNull(jar.getEntry("routes/consumer.yaml"), "the routes are packaged");
            assertEquals("true", jar.getManifest().getMainAttributes().getValue("Multi-Release"));
        }
    }

    private static Set<String> difference(Set<String> expected, Set<String> actual) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        return missing;
    }
}
