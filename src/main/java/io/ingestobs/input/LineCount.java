package io.ingestobs.input;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.LongStream;

/**
 * The records of a plain JSON Lines file counted in parts read side by side, each part the lines that start in its
 * byte range: the count is the one {@link InputRecordStream#countRemaining()} gives (a non-blank line is a record,
 * lines split by {@link ByteLines}), in a fraction of the time on a machine with more than one core. The producer
 * announces the count before its first record (SPEC §6), so the whole pass is time the publishing waits for.
 */
final class LineCount {

    /** Below this a file is counted in one part: a thread's start costs more than the bytes. */
    static final long PARALLEL_MIN_BYTES = 8L << 20;
    private static final int BUFFER_BYTES = 1 << 20;

    private LineCount() {
    }

    /** The non-blank lines of {@code path}, in {@code parts} parts (at least one). */
    static long nonBlankLines(Path path, long size, int parts) {
        int n = size < PARALLEL_MIN_BYTES ? 1 : Math.max(1, parts);
        long step = size / n;
        return LongStream.range(0, n).parallel()
                .map(i -> nonBlankLines(path, i * step, i == n - 1 ? Long.MAX_VALUE : (i + 1) * step))
                .sum();
    }

    /** The non-blank lines that start at a byte offset in [{@code from}, {@code to}). */
    static long nonBlankLines(Path path, long from, long to) {
        if (from >= to) {
            return 0;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            // the file's BOM is not part of its first line (InputRecordStream skips it), whose start is 0
            long skipped = from == 0 && startsWithByteOrderMark(channel) ? 3 : 0;
            boolean lineStartsAtFrom = from == 0 || endsALine(channel, from - 1);
            channel.position(from + skipped);
            ByteLines lines = new ByteLines(Channels.newInputStream(channel), BUFFER_BYTES);
            long span = to - from;
            long n = 0;
            // not at a line's start: the first "line" is the tail of one that started in the part before, which
            // counts it
            boolean tail = !lineStartsAtFrom;
            boolean first = from == 0;
            while (lines.next()) {
                if (tail) {
                    tail = false;
                    continue;
                }
                if (!first && lines.startOffset() + skipped >= span) {
                    break;
                }
                first = false;
                if (!InputRecordStream.blank(lines)) {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("counting the lines of " + path, e);
        }
    }

    private static boolean startsWithByteOrderMark(FileChannel channel) throws IOException {
        ByteBuffer three = ByteBuffer.allocate(3);
        while (three.hasRemaining() && channel.read(three, three.position()) > 0) {
            // a short read: the rest
        }
        return three.position() == 3 && three.get(0) == (byte) 0xEF && three.get(1) == (byte) 0xBB
                && three.get(2) == (byte) 0xBF;
    }

    private static boolean endsALine(FileChannel channel, long offset) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, offset);
        byte b = one.get(0);
        return b == '\n' || b == '\r';
    }
}
