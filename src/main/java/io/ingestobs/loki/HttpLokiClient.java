package io.ingestobs.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;

/** Loki's push API over HTTP, with the optional tenant header and basic or bearer auth of SPEC §5. */
public final class HttpLokiClient implements LokiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Loki's default max_entries_limit_per_query: a larger limit would be refused. */
    private static final int MAX_QUERY_ENTRIES = 5000;

    private final HttpClient http;
    private final URI pushUri;
    private final String queryRangeUrl;
    private final Duration timeout;
    private final String tenantId;
    private final String authorization;

    public HttpLokiClient(LokiSettings settings) {
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.pushUri = URI.create(settings.pushUrl());
        String push = settings.pushUrl();
        this.queryRangeUrl = push.substring(0, push.length() - "push".length()) + "query_range";
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
        HttpRequest.Builder request = authorized(HttpRequest.newBuilder(pushUri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(wholeBody(body)));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new LokiResponse(response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After").flatMap(HttpLokiClient::parseRetryAfter));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            // never connected: Loki cannot have this request
            return LokiResponse.noAnswer(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (IOException e) {
            // a timeout or a connection lost after the request went out: Loki may have stored it
            return LokiResponse.unanswered(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LokiResponse.noAnswer("interrupted");
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        if (tenantId != null) {
            request.header("X-Scope-OrgID", tenantId);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /**
     * Asks Loki, one query_range per stream over the entries' own time span, which entries it returns with the
     * same time and line (a JSON parse of Loki's answer: {@code data.result[].values[]} = [ns, line]). Needs the
     * querier to see the ingester's recent data for any time range (SPEC §10:
     * {@code query_store_max_look_back_period: -1ns} in single-binary mode); where it does not, old entries are
     * not found and are sent again, as without this check.
     */
    @Override
    public Optional<Set<LokiEntry>> alreadyStored(List<LokiEntry> entries) {
        Map<LokiStream, List<LokiEntry>> byStream = new LinkedHashMap<>();
        entries.forEach(e -> byStream.computeIfAbsent(e.stream(), s -> new ArrayList<>()).add(e));
        Set<LokiEntry> stored = new HashSet<>();
        try {
            for (Map.Entry<LokiStream, List<LokiEntry>> stream : byStream.entrySet()) {
                List<LokiEntry> own = stream.getValue();
                long start = own.stream().mapToLong(LokiEntry::epochNanos).min().orElseThrow();
                long end = own.stream().mapToLong(LokiEntry::epochNanos).max().orElseThrow() + 1;
                int limit = Math.min(MAX_QUERY_ENTRIES, own.size() * 2 + 10);
                String url = queryRangeUrl + "?query=" + encode(selector(stream.getKey().labels())) + "&start="
                        + start + "&end=" + end + "&limit=" + limit + "&direction=forward";
                HttpResponse<String> response = http.send(authorized(HttpRequest.newBuilder(URI.create(url))
                        .timeout(timeout).GET()).build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 429 || status >= 500) {
                    return Optional.empty(); // not ready to answer yet: ask again later
                }
                if (status != 200) {
                    return Optional.of(Set.of()); // not allowed to query: send again whole
                }
                Set<String> found = new HashSet<>();
                for (JsonNode result : JSON.readTree(response.body()).path("data").path("result")) {
                    for (JsonNode value : result.path("values")) {
                        found.add(value.get(0).asText() + "\n" + value.get(1).asText());
                    }
                }
                for (LokiEntry entry : own) {
                    if (found.contains(entry.epochNanos() + "\n" + entry.line())) {
                        stored.add(entry);
                    }
                }
            }
            return Optional.of(stored);
        } catch (IOException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(Set.of()); // an answer this client cannot read: send again whole
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static String selector(Map<String, String> labels) {
        StringBuilder selector = new StringBuilder("{");
        labels.forEach((name, value) -> selector.append(selector.length() > 1 ? ", " : "").append(name)
                .append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        return selector.append('}').toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
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
