/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * A UDP load generator for PCP (RFC 6887) and NAT-PMP (RFC 6886) servers. It sends one kind of request from many
 * client addresses, keeps a bounded window of requests outstanding (closed loop) or follows a target rate (open
 * loop), matches each answer to its request by client socket and internal port (and nonce for PCP MAP), counts
 * requests not answered within the timeout as lost, never retransmits, and reports counts, result codes, rates,
 * latency percentiles and, given the target's PID, its CPU time. With {@code --delete-after} a second phase deletes
 * every mapping the first created with SUCCESS.
 *
 * <p>Each client is a source address (127.0.0.2, 127.0.0.3, ... by default: Linux answers for all of 127/8 on lo),
 * and a PCP request's client IP address field is its source address, so a server checking one against the other
 * (RFC 6887 section 8.1) is satisfied. Modes whose answers carry nothing to match on (ANNOUNCE, NAT-PMP public
 * address) open several sockets per client address so that each has at most one request outstanding.
 */
public final class LoadGenerator {
    private static final int MAX_SOCKETS = 65_536;

    private LoadGenerator() {
        // entry points only
    }

    /**
     * Runs the generator as its options say and returns the report; starts and stops the self-test responder when
     * asked.
     *
     * @throws IOException if the sockets cannot be opened
     * @throws InterruptedException if interrupted while the threads run
     */
    public static LoadReport run(final LoadOptions options) throws IOException, InterruptedException {
        if (options.selfTest()) {
            final var loopback = new InetSocketAddress(LoadOptions.address("127.0.0.1"), 0);
            try (EchoResponder responder = EchoResponder.start(loopback, 1,
                    (Inet4Address) LoadOptions.address("203.0.113.1"), false, 0)) {
                return runAgainst(options.withTarget(responder.localAddress()));
            }
        }
        return runAgainst(options);
    }

    private static LoadReport runAgainst(final LoadOptions options) throws IOException, InterruptedException {
        final Mode mode = options.mode();
        // unkeyed modes: one request per socket at a time, so enough sockets per client to fill the window
        final int socketsPerClient = mode.isKeyed() ? 1
            : Math.max(1, Math.min(MAX_SOCKETS / options.clients(), ceilDiv(options.window(), options.clients())));
        final int sockets = options.clients() * socketsPerClient;
        final int threads = Math.min(options.threads(), Math.min(sockets, options.window()));

        final SplittableRandom random = new SplittableRandom(options.seed());
        final List<List<ClientSocket>> socketsOf = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            socketsOf.add(new ArrayList<>());
        }
        int socket = 0;
        for (int c = 0; c < options.clients(); c++) {
            final ClientSocket client = clientSocket(options, c,
                mode == Mode.PCP_MAP ? new Nonce(random.nextLong(), random.nextInt()) : null);
            for (int s = 0; s < socketsPerClient; s++, socket++) {
                socketsOf.get(socket % threads).add(client);
            }
        }

        final List<Worker> workers = new ArrayList<>();
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                workers.add(new Worker(options, socketsOf.get(t), share(options.window(), threads, t)));
            }
            if (options.warmupNanos() > 0) {
                // same sockets, nonces and port sequence; mappings it creates are deleted with the others
                runPhase(executor, workers, Worker.Phase.MAIN, 0, options.rate(),
                    System.nanoTime() + options.warmupNanos());
            }
            final String pid = options.pid();
            final Double targetBefore = pid == null ? null : ProcCpu.seconds(pid);
            final double selfBefore = ProcCpu.seconds("self");
            final long start = System.nanoTime();
            final long deadline = options.durationNanos() == 0 ? start + Long.MAX_VALUE / 2
                : start + options.durationNanos();
            final PhaseStats main = runPhase(executor, workers, Worker.Phase.MAIN, options.requests(), options.rate(),
                deadline);
            final Double targetAfterMain = pid == null ? null : ProcCpu.seconds(pid);
            final double selfAfterMain = ProcCpu.seconds("self");
            final PhaseReport mainReport = PhaseReport.of(mode, main, delta(targetBefore, targetAfterMain),
                selfAfterMain - selfBefore);

            PhaseReport deleteReport = null;
            if (options.deleteAfter() && mode.isKeyed()) {
                final PhaseStats delete = runPhase(executor, workers, Worker.Phase.DELETE, 0, 0,
                    System.nanoTime() + Long.MAX_VALUE / 2);
                final Double targetAfterDelete = pid == null ? null : ProcCpu.seconds(pid);
                deleteReport = PhaseReport.of(mode, delete, delta(targetAfterMain, targetAfterDelete),
                    ProcCpu.seconds("self") - selfAfterMain);
            }
            return new LoadReport(options, sockets, threads, mainReport, deleteReport);
        } finally {
            executor.shutdownNow();
            for (Worker worker : workers) {
                worker.close();
            }
        }
    }

    // requests: 0 for no bound; rate: 0 for closed loop
    private static PhaseStats runPhase(final ExecutorService executor, final List<Worker> workers,
            final Worker.Phase phase, final long requests, final double rate, final long deadline)
            throws IOException, InterruptedException {
        final int threads = workers.size();
        final List<Callable<PhaseStats>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final Worker worker = workers.get(t);
            final long quota = requests == 0 ? Long.MAX_VALUE : share(requests, threads, t);
            final double workerRate = rate / threads;
            tasks.add(() -> worker.run(phase, quota, deadline, workerRate));
        }
        final PhaseStats total = new PhaseStats();
        for (Future<PhaseStats> future : executor.invokeAll(tasks)) {
            try {
                total.add(future.get());
            } catch (ExecutionException e) {
                throw new IOException("A worker failed", e);
            }
        }
        return total;
    }

    private static int share(final int total, final int parts, final int part) {
        return total / parts + (part < total % parts ? 1 : 0);
    }

    private static long share(final long total, final int parts, final int part) {
        return total / parts + (part < total % parts ? 1 : 0);
    }

    private static int ceilDiv(final int dividend, final int divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    private static @Nullable Double delta(final @Nullable Double before, final @Nullable Double after) {
        return before == null || after == null ? null : after - before;
    }

    /**
     * The address and internal ports of client {@code index}: its own block of the ports from {@code --port-base}
     * to 65535, unless {@code --shared-ports}. Clients asking for the same internal port suggest the same external
     * port, which makes a server search for a free one; that is a scenario to ask for, not the default.
     */
    static ClientSocket clientSocket(final LoadOptions options, final int index, final @Nullable Nonce nonce) {
        final int portCount = 65536 - options.portBase();
        final int block = options.sharedPorts() ? portCount : Math.max(1, portCount / options.clients());
        final int firstPort = options.portBase() + (options.sharedPorts() ? 0 : (int) ((long) index * block
            % portCount));
        return new ClientSocket(clientAddress(options.firstClient(), index), nonce, firstPort,
            Math.min(65535, firstPort + block - 1));
    }

    /**
     * The {@code index}-th client address counting up from {@code first}, skipping IPv4 addresses ending in .0 or
     * .255, which some stacks treat as network or broadcast addresses.
     *
     * @throws IllegalArgumentException if the count runs past the end of the address space
     */
    static InetAddress clientAddress(final InetAddress first, final int index) {
        final byte[] bytes = first.getAddress();
        int remaining = index;
        while (true) {
            if (bytes.length == 4 && ((bytes[3] & 0xff) == 0 || (bytes[3] & 0xff) == 255)) {
                increment(bytes);
                continue;
            }
            if (remaining == 0) {
                break;
            }
            increment(bytes);
            remaining--;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    private static void increment(final byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (++bytes[i] != 0) {
                return;
            }
        }
        throw new IllegalArgumentException("Client addresses run past the end of the address space");
    }

    /**
     * Parses the options, runs, prints the report and writes it as JSON when asked. Exit status 2 for bad options,
     * 1 when the run cannot start.
     *
     * @param args see {@link LoadOptions#usage()}
     * @throws InterruptedException if interrupted
     */
    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    public static void main(final String[] args) throws InterruptedException {
        // a command-line tool: its report is its standard output, its complaints its standard error
        final PrintStream stdout = System.out;
        final PrintStream stderr = System.err;
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            stdout.print(LoadOptions.usage());
            return;
        }
        final LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            stderr.println(e.getMessage());
            stderr.print(LoadOptions.usage());
            System.exit(2);
            return;
        }
        try {
            final LoadReport report = run(options);
            stdout.print(report.text());
            final var out = options.out();
            if (out != null) {
                Files.writeString(out, report.json() + System.lineSeparator(), StandardCharsets.UTF_8);
                stdout.println("report written to " + out);
            }
        } catch (IOException e) {
            stderr.println(String.format(Locale.ROOT, "load generator failed: %s", e.getMessage()));
            System.exit(1);
        }
    }
}
