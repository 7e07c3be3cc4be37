package io.ingestobs.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for processes a test starts later, when the port must be known first (a Prometheus scrape config lists it).
 * Taken below the kernel's ephemeral range: a port the kernel hands out for port 0 is free when picked but any
 * outgoing connection of the machine may take it before the replica binds it, and a replica started a minute into
 * ScaleOutIT once found its METRICS_PORT taken that way.
 */
public final class ListenPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LINUX_DEFAULT_LOW = 32768;

    private ListenPorts() {
    }

    /** {@code count} different ports no listener holds now, outside the range outgoing connections draw from. */
    public static List<Integer> free(int count) {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(free());
        }
        return List.copyOf(ports);
    }

    /** A port no listener holds now, outside the range outgoing connections draw from. */
    public static int free() {
        int below = ephemeralLow();
        int from = Math.max(1024, below - 12_000);
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, below);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between " + from + " and " + below);
    }

    private static int ephemeralLow() {
        // read as a stream: Files.readString reads this /proc file short (one character, on this machine)
        try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            int low = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
            return low > 2048 ? low : LINUX_DEFAULT_LOW;
        } catch (IOException | RuntimeException e) {
            return LINUX_DEFAULT_LOW;
        }
    }
}
