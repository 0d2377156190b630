/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A packet capture for tshark, the independent decoder: dumpcap on one device (in a network namespace, or this
 * machine's own), with a capture filter, writing a pcapng file that tshark decodes.
 *
 * <p>Why a capture is awaited and not just stopped: the kernel hands captured packets to dumpcap a block at a time,
 * when the block fills or its timeout (about a second) passes, and dumpcap stopped by a signal exits without reading
 * the block in progress. A capture stopped right after the traffic therefore lost its tail (every packet of a short
 * one, seen here). So a test first {@link #await awaits} in the growing file what it expects to see, and only then
 * {@link #stop stops} the capture and decodes the whole file.
 */
final class Capture implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration PACKETS = Duration.ofSeconds(30);

    private final Path file;
    private final Path workdir;
    private final Process dumpcap;

    private Capture(final Path file, final Process dumpcap) {
        this.file = file;
        this.workdir = file.toAbsolutePath().getParent();
        this.dumpcap = dumpcap;
    }

    /**
     * Starts capturing on a device of this machine's network namespace, and returns once dumpcap captures.
     */
    static Capture start(final Path file, final String device, final String filter) throws Exception {
        return launch(file, List.of(), device, filter);
    }

    /**
     * Starts capturing on a device inside a network namespace, and returns once dumpcap captures.
     */
    static Capture inNamespace(final String namespace, final Path file, final String device, final String filter)
            throws Exception {
        return launch(file, List.of("ip", "netns", "exec", namespace), device, filter);
    }

    private static Capture launch(final Path file, final List<String> prefix, final String device,
            final String filter) throws Exception {
        Files.deleteIfExists(file);
        final var log = Path.of(file + ".log");
        final var command = new ArrayList<>(prefix);
        // ip netns exec execs the command: the process started is dumpcap itself, and only it is ever signalled
        command.addAll(List.of("dumpcap", "-i", device, "-f", filter, "-w", file.toString()));
        final var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        final var capture = new Capture(file, process);
        boolean capturing = false;
        try {
            // dumpcap says so on stderr once the device is open and the filter set
            Await.until("dumpcap capturing on " + device, () -> process.isAlive() ? Files.readString(log)
                : "exited with " + process.exitValue() + ": " + Files.readString(log),
                text -> text.contains("Capturing on") || !process.isAlive(), START);
            if (!process.isAlive()) {
                throw new AssertionError("dumpcap " + String.join(" ", command) + " exited: " + Files.readString(log));
            }
            capturing = true;
        } finally {
            if (!capturing) {
                capture.stop();
            }
        }
        return capture;
    }

    Path file() {
        return file;
    }

    /**
     * Waits until the packets captured so far, decoded as tshark's fields (one line a packet, tab-separated),
     * satisfy the condition, and returns them.
     *
     * @param displayFilter which packets, as a tshark display filter
     */
    List<String> await(final String what, final Predicate<List<String>> done, final String displayFilter,
            final String... fields) throws Exception {
        return Await.until(what + " in the capture " + file.getFileName(), () -> fields(displayFilter, fields), done,
            PACKETS);
    }

    /**
     * The packets captured so far that the display filter selects, as tshark's fields, one non-blank line a packet.
     */
    List<String> fields(final String displayFilter, final String... fields) throws Exception {
        final var command = new ArrayList<>(List.of("-Y", displayFilter, "-T", "fields"));
        for (var field : fields) {
            command.add("-e");
            command.add(field);
        }
        return decode(command.toArray(String[]::new)).lines().filter(line -> !line.isBlank()).toList();
    }

    /**
     * tshark's output for the file with these arguments ({@code tshark -r FILE ARGS}). While dumpcap still writes,
     * the last packet may be cut short: what was read before it is returned.
     */
    String decode(final String... args) throws Exception {
        final var command = new ArrayList<>(List.of("tshark", "-r", file.toString()));
        command.addAll(List.of(args));
        if (!dumpcap.isAlive()) {
            return Shell.run(workdir, Map.of(), command.toArray(String[]::new));
        }
        final var errors = Files.createTempFile(workdir, "tshark", ".txt");
        try {
            final var process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return output;
        } finally {
            Files.delete(errors);
        }
    }

    /**
     * Stops dumpcap by its process id (SIGTERM: it closes the file) and waits for it to exit.
     */
    void stop() throws InterruptedException {
        if (dumpcap.isAlive()) {
            dumpcap.destroy();
            if (!dumpcap.waitFor(10, TimeUnit.SECONDS)) {
                dumpcap.destroyForcibly();
                dumpcap.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public String toString() {
        return "capture " + file + (dumpcap.isAlive() ? " (running)" : "");
    }
}
