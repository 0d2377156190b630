/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;

/**
 * Command-line options of {@link LoadGenerator}.
 *
 * @param target where to send
 * @param mode what to send
 * @param requests stop sending after this many requests; 0 for no bound
 * @param durationNanos stop sending after this long; 0 for no bound
 * @param warmupNanos load sent first and left out of the report, so that both JVMs have compiled their hot paths
 * @param window most requests outstanding at once, over all threads
 * @param clients number of client source addresses
 * @param firstClient the first source address; the next ones count up from it
 * @param threads sending threads, each with its own selector and share of the clients and window
 * @param lifetime requested lifetime of MAP requests, seconds
 * @param protocol MAP protocol number for PCP MAP (6 TCP, 17 UDP)
 * @param portBase first internal port; the ports from it to 65535 are split into one block per client, and each
 *     client counts up through its block, wrapping to its start
 * @param sharedPorts whether every client counts up from portBase instead, so that clients ask for the same ports
 * @param deleteAfter whether to delete, at the end, every mapping created with SUCCESS (lifetime 0)
 * @param rate open-loop target rate in requests per second; 0 for closed loop (keep the window full)
 * @param timeoutNanos how long to wait for an answer before counting the request as lost
 * @param out where to write the JSON report, or {@code null}
 * @param pid the target's process id, whose CPU time is reported, or {@code null}
 * @param seed seed of the nonces
 * @param selfTest whether to start an in-process {@link EchoResponder} on loopback and target it
 */
public record LoadOptions(InetSocketAddress target, Mode mode, long requests, long durationNanos, long warmupNanos,
        int window, int clients, InetAddress firstClient, int threads, long lifetime, int protocol, int portBase,
        boolean sharedPorts, boolean deleteAfter, double rate, long timeoutNanos, @Nullable Path out,
        @Nullable String pid, long seed, boolean selfTest) {
    private static final String USAGE = """
        java -cp benchmarks.jar org.pcpcontroller.bench.load.LoadGenerator [options]
          --target HOST:PORT   server to load (default 127.0.0.1:5351)
          --mode M             pcp-map | pcp-announce | natpmp-address | natpmp-map-udp | natpmp-map-tcp
                               (default pcp-map)
          --requests N         stop sending after N requests
          --duration S         stop sending after S seconds (10 if neither bound is given; suffix ms allowed)
          --warmup S           first send load for S seconds and leave it out of the report (default 0)
          --window W           requests outstanding at most (default 64)
          --clients C          source addresses first-client, +1, ... (default 16; any 127/8 address binds on lo)
          --first-client ADDR  first source address (default 127.0.0.2)
          --threads T          sending threads (default 1)
          --lifetime S         MAP requested lifetime (default 3600)
          --protocol tcp|udp   PCP MAP protocol (default tcp)
          --port-base P        internal ports P..65535, split in one block per client (default 1024)
          --shared-ports       every client uses ports P, P+1, ... (same suggested external ports)
          --delete-after       at the end, send lifetime 0 for every mapping created with SUCCESS
          --rate R             open loop: send R requests/s (still bounded by the window); default closed loop
          --timeout T          answer timeout, milliseconds (default 1000; suffix s allowed)
          --out FILE           write the report as JSON
          --pid PID            report the target's CPU time (/proc/PID/stat, utime+stime)
          --seed N             nonce seed (default random)
          --self-test          start an in-process test responder on 127.0.0.1 and target it
        """;

    private static final int MAX_WINDOW = 1_000_000;

    public LoadOptions {
        requireNonNull(target);
        requireNonNull(mode);
        requireNonNull(firstClient);
        check(requests >= 0, "--requests must not be negative");
        check(durationNanos >= 0, "--duration must not be negative");
        check(warmupNanos >= 0, "--warmup must not be negative");
        check(window >= 1 && window <= MAX_WINDOW, "--window must be 1.." + MAX_WINDOW);
        check(clients >= 1, "--clients must be at least 1");
        check(threads >= 1, "--threads must be at least 1");
        check(lifetime >= 0 && lifetime <= 0xffffffffL, "--lifetime must be 0..2^32-1");
        check(portBase >= 1 && portBase <= 65535, "--port-base must be 1..65535");
        check(rate >= 0, "--rate must not be negative");
        check(timeoutNanos > 0, "--timeout must be positive");
        if (requests == 0 && durationNanos == 0) {
            durationNanos = TimeUnit.SECONDS.toNanos(10);
        }
    }

    /**
     * The usage text.
     */
    public static String usage() {
        return USAGE;
    }

    /**
     * Parses {@code --name value} and {@code --name=value} arguments.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static LoadOptions parse(final String... args) {
        InetSocketAddress target = new InetSocketAddress(address("127.0.0.1"), 5351);
        Mode mode = Mode.PCP_MAP;
        long requests = 0;
        long durationNanos = 0;
        long warmupNanos = 0;
        int window = 64;
        int clients = 16;
        InetAddress firstClient = address("127.0.0.2");
        int threads = 1;
        long lifetime = 3600;
        int protocol = 6;
        int portBase = 1024;
        boolean sharedPorts = false;
        boolean deleteAfter = false;
        double rate = 0;
        long timeoutNanos = TimeUnit.SECONDS.toNanos(1);
        Path out = null;
        String pid = null;
        long seed = ThreadLocalRandom.current().nextLong();
        boolean selfTest = false;

        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            final int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if ("--delete-after".equals(name) || "--self-test".equals(name) || "--shared-ports".equals(name)) {
                check(value == null, name + " takes no value");
                switch (name) {
                    case "--delete-after" -> deleteAfter = true;
                    case "--shared-ports" -> sharedPorts = true;
                    default -> selfTest = true;
                }
                continue;
            }
            if (value == null) {
                check(i + 1 < args.length, name + " needs a value");
                value = args[++i];
            }
            try {
                switch (name) {
                    case "--target" -> target = socketAddress(value);
                    case "--mode" -> mode = Mode.ofCliName(value);
                    case "--requests" -> requests = Long.parseLong(value);
                    case "--duration" -> durationNanos = nanos(value, TimeUnit.SECONDS);
                    case "--warmup" -> warmupNanos = nanos(value, TimeUnit.SECONDS);
                    case "--window" -> window = Integer.parseInt(value);
                    case "--clients" -> clients = Integer.parseInt(value);
                    case "--first-client" -> firstClient = address(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--lifetime" -> lifetime = Long.parseLong(value);
                    case "--protocol" -> protocol = protocol(value);
                    case "--port-base" -> portBase = Integer.parseInt(value);
                    case "--rate" -> rate = Double.parseDouble(value);
                    case "--timeout" -> timeoutNanos = nanos(value, TimeUnit.MILLISECONDS);
                    case "--out" -> out = Path.of(value);
                    case "--pid" -> pid = value;
                    case "--seed" -> seed = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("Unknown option " + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: " + value, e);
            }
        }
        return new LoadOptions(target, mode, requests, durationNanos, warmupNanos, window, clients, firstClient,
            threads, lifetime, protocol, portBase, sharedPorts, deleteAfter, rate, timeoutNanos, out, pid, seed,
            selfTest);
    }

    /**
     * These options aimed at another target.
     */
    public LoadOptions withTarget(final InetSocketAddress newTarget) {
        return new LoadOptions(newTarget, mode, requests, durationNanos, warmupNanos, window, clients, firstClient,
            threads, lifetime, protocol, portBase, sharedPorts, deleteAfter, rate, timeoutNanos, out, pid, seed,
            selfTest);
    }

    private static void check(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static long nanos(final String value, final TimeUnit defaultUnit) {
        final String text = value.toLowerCase(Locale.ROOT);
        if (text.endsWith("ms")) {
            return (long) (Double.parseDouble(text.substring(0, text.length() - 2)) * 1e6);
        }
        if (text.endsWith("s")) {
            return (long) (Double.parseDouble(text.substring(0, text.length() - 1)) * 1e9);
        }
        return (long) (Double.parseDouble(text) * defaultUnit.toNanos(1));
    }

    private static int protocol(final String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "tcp", "6" -> 6;
            case "udp", "17" -> 17;
            default -> throw new IllegalArgumentException("--protocol must be tcp or udp, not " + value);
        };
    }

    static InetSocketAddress socketAddress(final String value) {
        final int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("Expected HOST:PORT, not " + value);
        }
        final String host = value.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(address(host), Integer.parseInt(value.substring(colon + 1)));
    }

    static InetAddress address(final String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Unknown host " + literal, e);
        }
    }
}
