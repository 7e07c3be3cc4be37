package io.ingestobs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A scraper that reads {@code GET /metrics} as Prometheus does: HTTP/1.1 on one kept-alive connection, the body
 * copied into an array kept from one scrape to the next (Prometheus takes a pooled buffer of the last scrape's
 * size, copies the body into it and parses it from there), so that the time it measures is the endpoint's, not a
 * client's growing of a 66 MiB array. Java's {@code HttpClient} with
 * {@code BodyHandlers.ofByteArray()} (the bench's client until issue 14's fifth round) keeps every received chunk
 * and copies them into one array at the end: tens of ms of the bench JVM's CPU per GET on a 2-core machine that
 * the pipeline shares. Only what the scrape needs of HTTP/1.1: a status line, headers, a chunked or sized body.
 */
final class StreamingScrape implements AutoCloseable {

    private final String host;
    private final int port;
    private final String path;
    private final byte[] buffer = new byte[1 << 20];
    /** The last body, at the start of an array reused by the next GET (grown, never shrunk). */
    private byte[] body = new byte[1 << 20];
    private int bodyLength;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int position;
    private int limit;

    StreamingScrape(String host, int port, String path) {
        this.host = host;
        this.port = port;
        this.path = path;
    }

    /** One GET; returns the body's length. The body is {@link #body()} until the next GET. */
    long get() throws IOException {
        bodyLength = 0;
        if (socket == null) {
            socket = new Socket();
            socket.setReceiveBufferSize(1 << 20);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            position = 0;
            limit = 0;
        }
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: text/plain\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = line();
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("GET " + path + " answered " + status);
        }
        long contentLength = -1;
        boolean chunked = false;
        for (String header; !(header = line()).isEmpty(); ) {
            String lower = header.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                contentLength = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            if (contentLength < 0) {
                throw new IOException("neither chunked nor sized");
            }
            body(contentLength);
            return contentLength;
        }
        long total = 0;
        while (true) {
            String size = line();
            int semicolon = size.indexOf(';');
            long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return total;
            }
            body(n);
            total += n;
            if (!line().isEmpty()) {
                throw new IOException("no CRLF after a chunk");
            }
        }
    }

    /** The last GET's body; valid until the next GET. */
    byte[] body() {
        return java.util.Arrays.copyOf(body, bodyLength);
    }

    private void body(long n) throws IOException {
        while (n > 0) {
            if (position == limit) {
                fill();
            }
            int take = (int) Math.min(n, limit - position);
            if (body.length - bodyLength < take) {
                body = java.util.Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + take));
            }
            System.arraycopy(buffer, position, body, bodyLength, take);
            bodyLength += take;
            position += take;
            n -= take;
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (position == limit) {
                fill();
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int length = line.length();
                return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private void fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            throw new IOException("the server closed the connection");
        }
        position = 0;
        limit = n;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }
}
