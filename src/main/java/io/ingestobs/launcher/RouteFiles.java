package io.ingestobs.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the YAML routes are loaded from. A directory on disk wins, so that {@code ROUTES_RELOAD=true} can pick up
 * its edits: {@code ROUTES_DIR} when set, else {@code ./routes} when it exists. Otherwise the routes packaged in
 * the jar, so that the jar copied alone to an empty folder still runs (SPEC §6).
 */
record RouteFiles(String includePattern, boolean onDisk) {

    static final String PACKAGED = "classpath:routes/*.yaml";

    static RouteFiles resolve(Map<String, String> env, Path workingDirectory) {
        String dir = env.getOrDefault("ROUTES_DIR", "").trim();
        if (!dir.isEmpty()) {
            // an explicit directory that is missing fails at start with Camel's own message, never silently
            // falls back to the packaged routes
            return new RouteFiles("file:" + dir + "/*.yaml", true);
        }
        if (Files.isDirectory(workingDirectory.resolve("routes"))) {
            return new RouteFiles("file:routes/*.yaml", true);
        }
        return new RouteFiles(PACKAGED, false);
    }
}
