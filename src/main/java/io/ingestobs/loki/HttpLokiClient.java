package io.ingestobs.loki;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Flow;

/** Loki's push API over HTTP, with the optional tenant header and basic or bearer auth of SPEC §5. */
public final class HttpLokiClient implements LokiClient {

    private final HttpClient http;
    private final URI pushUri;
    private final Duration timeout;
    private final String tenantId;
    private final String authorization;

    public HttpLokiClient(LokiSettings settings) {
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.pushUri = URI.create(settings.pushUrl());
        this.timeout = settings.requestTimeout();
        this.tenantId = settings.tenantId();
        if (settings.bearerToken() != null) {
            this.authorization = "Bearer " + settings.bearerToken();
        } else if (settings.username() != null) {
            String pair = settings.username() + ":" + (settings.password() == null ? "" : settings.password());
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
    }

    @Override
    public LokiResponse push(ByteBuffer body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(pushUri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(wholeBody(body));
        if (tenantId != null) {
            request.header("X-Scope-OrgID", tenantId);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new LokiResponse(response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After").flatMap(HttpLokiClient::parseRetryAfter));
        } catch (IOException e) {
            return LokiResponse.noAnswer(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LokiResponse.noAnswer("interrupted");
        }
    }

    /**
     * The body as one read-only view, not copied: {@code BodyPublishers.ofByteArray} copies it into 16 KiB
     * buffers, one flow-controlled write each, which was most of a push's time against a quick Loki. Each attempt
     * (retries included) subscribes anew and gets the whole body.
     */
    static HttpRequest.BodyPublisher wholeBody(ByteBuffer body) {
        Flow.Publisher<ByteBuffer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private boolean done;

            @Override
            public void request(long n) {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    done = true;
                }
                if (n <= 0) {
                    subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
                    return;
                }
                subscriber.onNext(body.asReadOnlyBuffer());
                subscriber.onComplete();
            }

            @Override
            public synchronized void cancel() {
                done = true;
            }
        });
        return HttpRequest.BodyPublishers.fromPublisher(publisher, body.remaining());
    }

    static Optional<Duration> parseRetryAfter(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
