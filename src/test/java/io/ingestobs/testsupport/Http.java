package io.ingestobs.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs what a user would curl. */
public final class Http {

    // HTTP/1.1 as curl and Prometheus speak it over plain http: Java's default (HTTP/2 by h2c upgrade) once read
    // an HTTP/1.1 answer of the metrics endpoint as an HTTP/2 frame ("Frame type(99) ... exceeds MAX_FRAME_SIZE")
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
