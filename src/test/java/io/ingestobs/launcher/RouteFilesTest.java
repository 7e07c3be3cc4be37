package io.ingestobs.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class RouteFilesTest {

    @Test
    void routesOnDiskWinSoThatTheyCanBeEditedLive(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        assertEquals(new RouteFiles("file:routes/*.yaml", true), RouteFiles.resolve(Map.of(), dir));
        assertEquals(new RouteFiles("file:/srv/routes/*.yaml", true),
                RouteFiles.resolve(Map.of("ROUTES_DIR", "/srv/routes"), dir));
    }

    @Test
    void aJarAloneInAFolderUsesTheRoutesPackagedInIt(@TempDir Path dir) {
        assertEquals(new RouteFiles("classpath:routes/*.yaml", false), RouteFiles.resolve(Map.of(), dir));
        // the build copies routes/ into the jar; the test classpath sees target/classes
        for (String file : new String[] {"consumer.yaml", "producer.yaml", "loki.yaml", "dead-letters.yaml"}) {
            assertNotNull(getClass().getResource("/routes/" + file), file + " is packaged");
        }
    }
}
