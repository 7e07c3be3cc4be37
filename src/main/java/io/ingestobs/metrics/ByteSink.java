package io.ingestobs.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffer in front of the response that writes numbers as the Prometheus client writes them (longs in decimal,
 * doubles as {@link Double#toString}) without making a String for the common ones.
 */
final class ByteSink {

    private static final byte[] PLUS_INF = "+Inf".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MINUS_INF = "-Inf".getBytes(StandardCharsets.US_ASCII);
    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);
    /** Below this, {@link Double#toString} of a whole number is its digits and ".0". */
    private static final double PLAIN_WHOLE_LIMIT = 1e7;

    private final OutputStream out;
    private final byte[] buffer;
    private int position;

    ByteSink(OutputStream out, int bufferSize) {
        this.out = out;
        this.buffer = new byte[bufferSize];
    }

    void write(byte[] bytes) throws IOException {
        if (bytes.length > buffer.length - position) {
            flush();
            if (bytes.length > buffer.length) {
                out.write(bytes);
                return;
            }
        }
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
    }

    void write(byte b) throws IOException {
        if (position == buffer.length) {
            flush();
        }
        buffer[position++] = b;
    }

    void writeLong(long value) throws IOException {
        if (buffer.length - position < 20) {
            flush();
        }
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                write(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
                return;
            }
            buffer[position++] = '-';
            value = -value;
        }
        int digits = digits(value);
        int end = position + digits;
        for (int i = end - 1; i >= position; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        position = end;
    }

    void writeDouble(double value) throws IOException {
        if (value == Double.POSITIVE_INFINITY) {
            write(PLUS_INF);
        } else if (value == Double.NEGATIVE_INFINITY) {
            write(MINUS_INF);
        } else if (value == Math.rint(value) && Math.abs(value) < PLAIN_WHOLE_LIMIT
                && Double.doubleToRawLongBits(value) != NEGATIVE_ZERO) {
            writeLong((long) value);
            if (buffer.length - position < 2) {
                flush();
            }
            buffer[position++] = '.';
            buffer[position++] = '0';
        } else {
            write(Double.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
    }

    void flush() throws IOException {
        if (position > 0) {
            out.write(buffer, 0, position);
            position = 0;
        }
    }

    private static int digits(long value) {
        int digits = 1;
        while (value >= 10) {
            value /= 10;
            digits++;
        }
        return digits;
    }
}
