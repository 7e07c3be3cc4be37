package io.ingestobs.input;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a stream as bytes, split where {@link java.io.BufferedReader#readLine} splits them ({@code \n},
 * {@code \r} or {@code \r\n}; a last line without an end), without decoding them: a line in the plain form is
 * turned into its event straight from its bytes, and counting lines needs no text at all. The current line is
 * {@link #buffer()}{@code [}{@link #start()}{@code , }{@link #end()}{@code )} until the next call to {@link #next()}.
 */
final class ByteLines {

    /** Eight bytes at a time: the line ends are looked for a word at a time (most of a file is line content). */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LINE_FEEDS = '\n' * ONES;
    private static final long CARRIAGE_RETURNS = '\r' * ONES;

    private final InputStream in;
    private byte[] buffer;
    /** Bytes of the stream before {@code buffer[0]}. */
    private long base;
    private int position;
    private int limit;
    private int start;
    private int end;
    private boolean skipLineFeed;
    private boolean endOfStream;

    ByteLines(InputStream in) {
        this(in, 1 << 16);
    }

    ByteLines(InputStream in, int bufferBytes) {
        this.in = in;
        this.buffer = new byte[bufferBytes];
    }

    /** Where the current line starts, in bytes from the start of the stream. */
    long startOffset() {
        return base + start;
    }

    byte[] buffer() {
        return buffer;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    /** The current line as text, decoded as an {@code InputStreamReader} would (malformed bytes replaced). */
    String text() {
        return new String(buffer, start, end - start, StandardCharsets.UTF_8);
    }

    /** Moves to the next line; false at the end of the stream. */
    boolean next() throws IOException {
        if (skipLineFeed) {
            if (position == limit) {
                fill(position);
            }
            if (position < limit && buffer[position] == '\n') {
                position++;
            }
            skipLineFeed = false;
        }
        int scan = position;
        while (true) {
            scan = skipToLineEnd(scan);
            while (scan < limit) {
                byte b = buffer[scan];
                if (b == '\n' || b == '\r') {
                    start = position;
                    end = scan;
                    position = scan + 1;
                    skipLineFeed = b == '\r';
                    return true;
                }
                scan++;
            }
            if (endOfStream) {
                if (position < limit) {
                    start = position;
                    end = limit;
                    position = limit;
                    return true;
                }
                return false;
            }
            scan = fill(scan);
        }
    }

    /**
     * The first line end from {@code scan} on, as far as whole words go; else where the last partial word starts
     * (the byte loop looks at the rest).
     */
    private int skipToLineEnd(int scan) {
        while (scan + 8 <= limit) {
            long word = (long) WORDS.get(buffer, scan);
            long ends = zeroBytes(word ^ LINE_FEEDS) | zeroBytes(word ^ CARRIAGE_RETURNS);
            if (ends != 0) {
                // the lowest flag is exact (a false one can only follow a true one)
                return scan + (Long.numberOfTrailingZeros(ends) >>> 3);
            }
            scan += 8;
        }
        return scan;
    }

    /** A flag (high bit) on each zero byte of {@code word}, and maybe on bytes after the first: never before it. */
    static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }

    /** Whether nothing but (at most) the end of the last line is left. */
    boolean atEnd() throws IOException {
        if (position == limit) {
            fill(position);
        }
        if (skipLineFeed && position < limit && buffer[position] == '\n') {
            position++;
            skipLineFeed = false;
            if (position == limit) {
                fill(position);
            }
        }
        return position == limit && endOfStream;
    }

    /** Reads more after what is kept (from the current line's start on); returns where {@code scan} moved to. */
    private int fill(int scan) throws IOException {
        if (endOfStream) {
            return scan;
        }
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            base += position;
            scan -= position;
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            // one line longer than the buffer: it grows with the line, as BufferedReader's line did
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            endOfStream = true;
        } else {
            limit += read;
        }
        return scan;
    }
}
