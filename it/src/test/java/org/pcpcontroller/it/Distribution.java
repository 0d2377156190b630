/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private copy of the built distribution, booted as an operator would ({@code bin/karaf server}, with the JDK
 * settings the distribution ships) and stopped by its own process ids. Nothing else is ever signalled.
 */
final class Distribution implements AutoCloseable {
    static final String RESTCONF = "http://localhost:8181/rests";
    // odl-restconf-openapi (netconf 10.0.2): web context /openapi, JAX-RS servlet /api/v3/*, the explorer UI at
    // /openapi/explorer/index.html; the whole context takes the RESTCONF credentials
    static final String OPENAPI = "http://localhost:8181/openapi/api/v3";
    private static final String AUTH = "Basic " + Base64.getEncoder()
        .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    // a "key = value" line of a .cfg file (java.util.Properties' format; no comment)
    private static final Pattern SETTING = Pattern.compile("\\s*([^\\s#!=:][^\\s=:]*)\\s*[=:].*");

    private final Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process launcher;
    private Duration startedIn = Duration.ZERO;

    private Distribution(final Path home) {
        this.home = home;
    }

    /**
     * Copies the assembly into a fresh directory.
     */
    static Distribution copy(final Path assembly, final Path workdir) throws IOException {
        if (!Files.isRegularFile(assembly.resolve("bin/karaf"))) {
            throw new IllegalStateException("No distribution at " + assembly + ": build karaf/ first");
        }
        final var home = workdir.resolve("karaf");
        deleteRecursively(home);
        Files.createDirectories(workdir);
        new ProcessBuilder("cp", "-a", assembly.toString(), home.toString()).inheritIO().start().onExit().join();
        return new Distribution(home);
    }

    Path home() {
        return home;
    }

    /**
     * Sets settings in a configuration file the distribution ships in {@code etc/}, as an operator edits it: each on
     * the line that holds it, the file's other settings and comments as they were. Before a boot or while Karaf runs
     * (fileinstall watches {@code etc/} and hands a changed file to Config Admin): the file is written beside and moved
     * over the old one, so that fileinstall never reads half a file. A file or a setting the distribution does not
     * ship is an error, since every component's file holds all of its settings: a typo, or a file not shipped.
     */
    void configure(final String file, final Map<String, String> settings) throws IOException {
        final var path = home.resolve("etc").resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("The distribution ships no etc/" + file);
        }
        final var left = new TreeMap<>(settings);
        final var lines = new ArrayList<String>();
        for (var line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            final var setting = SETTING.matcher(line);
            final var value = setting.matches() ? left.remove(setting.group(1)) : null;
            lines.add(value == null ? line : setting.group(1) + " = " + value);
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException("etc/" + file + " has no setting " + left.keySet());
        }
        final var next = path.resolveSibling(file + ".next");
        Files.write(next, lines, StandardCharsets.UTF_8);
        Files.move(next, path, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Starts Karaf and waits until RESTCONF answers and the pcp-mapping RPCs are registered.
     *
     * @return the time from start to ready
     */
    Duration start(final Duration timeout) throws IOException, InterruptedException {
        if (portInUse()) {
            throw new IllegalStateException("Port 8181 is in use: stop the other controller (./run.sh?) first");
        }
        final var builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("karaf.out").toFile()));
        // the JDK running the tests (>= 21) runs Karaf too
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final long started = System.nanoTime();
        launcher = builder.start();
        final long deadline = started + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!launcher.isAlive()) {
                throw new IllegalStateException("Karaf exited with " + launcher.exitValue() + "; see "
                    + home.resolve("karaf.out"));
            }
            if (ready()) {
                startedIn = Duration.ofNanos(System.nanoTime() - started);
                return startedIn;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("RESTCONF not ready within " + timeout + "; see " + home.resolve("data/log"));
    }

    /**
     * The time from the last start to ready.
     */
    Duration startedIn() {
        return startedIn;
    }

    private boolean ready() {
        try {
            return get("/data/ietf-yang-library:yang-library?fields=content-id").statusCode() == 200
                // our RPCs are registered once this answers (an unknown gateway clears nothing)
                && post("/operations/pcp-mapping:clear-gateway",
                    "{\"input\":{\"gateway-id\":\"readiness-probe\"}}").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean portInUse() {
        try (var socket = new java.net.Socket("127.0.0.1", 8181)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops Karaf: SIGTERM to its JVM and launcher, by PID, then SIGKILL if it does not exit in time.
     */
    void stop() throws InterruptedException {
        if (launcher == null) {
            return;
        }
        final var processes = Stream.concat(launcher.toHandle().descendants(), Stream.of(launcher.toHandle()))
            .toList();
        processes.forEach(ProcessHandle::destroy);
        for (var process : processes) {
            try {
                process.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
            }
        }
        launcher = null;
    }

    /**
     * The resident set size of the Karaf JVM in KiB, if it runs.
     */
    Optional<Long> rssKib() throws IOException {
        return rssKib(launcher);
    }

    /**
     * The resident set size in KiB of the JVM a Karaf launcher started, if it runs (also the cluster's members).
     */
    static Optional<Long> rssKib(final Process launcher) throws IOException {
        if (launcher == null || !launcher.isAlive()) {
            return Optional.empty();
        }
        final var java = launcher.toHandle().descendants()
            .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
        if (java.isEmpty()) {
            return Optional.empty();
        }
        try (var lines = Files.lines(Path.of("/proc", String.valueOf(java.orElseThrow().pid()), "status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst();
        }
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(RESTCONF + path)).GET());
    }

    /**
     * GETs a document of the OpenAPI service ({@code /single} is the one of every module the controller serves).
     */
    HttpResponse<String> openApi(final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(OPENAPI + path)).GET());
    }

    HttpResponse<String> put(final String path, final String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(RESTCONF + path))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> post(final String path, final String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(RESTCONF + path))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> delete(final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(RESTCONF + path)).DELETE());
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.header("Authorization", AUTH).header("Accept", "application/json")
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static void deleteRecursively(final Path path) throws IOException {
        if (Files.exists(path)) {
            try (var walk = Files.walk(path)) {
                for (var file : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
