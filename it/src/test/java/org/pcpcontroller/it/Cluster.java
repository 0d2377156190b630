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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A cluster of N members on OpenDaylight's clustering, each a private copy of the built distribution booted as an
 * operator would ({@code bin/karaf server}) inside a network namespace of its own, so that every member has its own
 * address and keeps the standard ports. The copies, their cluster configuration (pekko.conf, module-shards.conf,
 * modules.conf) and the network come from {@code scripts/cluster.sh}, the same that {@code ./run.sh --cluster} uses;
 * the members' processes are this fixture's own and are signalled by their process ids, nothing else.
 *
 * <p>Names and the subnet derive from this JVM's pid, so that two test runs, or a test run and
 * {@code ./run.sh --cluster} (10.73.0.0/24), do not meet.
 */
final class Cluster implements AutoCloseable {
    private static final String AUTH = "Basic " + Base64.getEncoder()
        .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    private static final Pattern VALUE = Pattern.compile("\"value\":\"?([^\",}]*)\"?");

    private final Path root;
    private final Path dir;
    private final int size;
    private final String prefix;
    private final String subnet;
    private final Process[] launchers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private boolean networkUp;

    private Cluster(final Path root, final Path dir, final int size) {
        this.root = root;
        this.dir = dir;
        this.size = size;
        final long pid = ProcessHandle.current().pid();
        prefix = "pc" + pid % 100_000 + "-";
        subnet = "10.74." + (pid % 250 + 1);
        launchers = new Process[size];
    }

    /**
     * Why a cluster cannot be booted here, if it cannot: it needs root (network namespaces), {@code ip} and a built
     * distribution.
     */
    static Optional<String> unavailable(final Path assembly) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the cluster system test needs root: every member runs in a network namespace");
        }
        if (!Shell.onPath("ip")) {
            return Optional.of("the cluster system test needs iproute2 (ip netns); ./test.sh installs it");
        }
        if (!Files.isRegularFile(assembly.resolve("bin/karaf"))) {
            return Optional.of("no distribution at " + assembly + ": build karaf/ first");
        }
        return Optional.empty();
    }

    /**
     * Makes N fresh copies of the distribution with their cluster configuration, and the network joining them.
     */
    static Cluster create(final Path root, final Path workdir, final int size) throws Exception {
        final var dir = workdir.resolve("cluster");
        if (Files.exists(dir)) {
            Shell.run(workdir, java.util.Map.of(), "rm", "-rf", dir.toString());
        }
        Files.createDirectories(dir);
        final var cluster = new Cluster(root, dir, size);
        cluster.script("prepare");
        cluster.networkUp = true;
        cluster.script("net-up");
        return cluster;
    }

    private void script(final String command) throws Exception {
        Shell.run(dir, java.util.Map.of("CLUSTER_MEMBERS", String.valueOf(size), "CLUSTER_PREFIX", prefix,
            "CLUSTER_SUBNET", subnet, "JAVA_HOME", System.getProperty("java.home")),
            root.resolve("scripts/cluster.sh").toString(), command, dir.toString());
    }

    int size() {
        return size;
    }

    String address(final int member) {
        return subnet + "." + member;
    }

    String namespace(final int member) {
        return prefix + "m" + member;
    }

    Path home(final int member) {
        return dir.resolve("member-" + member);
    }

    /**
     * Starts every member at once, as an operator would, and waits until each serves.
     *
     * @return the time from the first launch until the last member serves
     */
    Duration startAll(final Duration timeout) throws Exception {
        final long started = System.nanoTime();
        for (int member = 1; member <= size; member++) {
            launch(member);
        }
        for (int member = 1; member <= size; member++) {
            awaitServing(member, timeout.minusNanos(System.nanoTime() - started));
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Starts one member (again) and waits until it serves.
     *
     * @return the time from launch until it serves
     */
    Duration start(final int member, final Duration timeout) throws Exception {
        final long started = System.nanoTime();
        launch(member);
        awaitServing(member, timeout);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void launch(final int member) throws IOException {
        if (launchers[member - 1] != null && launchers[member - 1].isAlive()) {
            throw new IllegalStateException("member-" + member + " runs already");
        }
        final var home = home(member);
        final var builder = new ProcessBuilder("ip", "netns", "exec", namespace(member),
                home.resolve("bin/karaf").toString(), "server")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("karaf.out").toFile()));
        // the JDK running the tests (>= 21) runs Karaf too; three members share this machine, hence a bounded heap
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("EXTRA_JAVA_OPTS", "-Xmx" + System.getProperty("pcp.cluster.heap", "2g"));
        launchers[member - 1] = builder.start();
    }

    private void awaitServing(final int member, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final var launcher = launchers[member - 1];
            if (!launcher.isAlive()) {
                throw new IllegalStateException("member-" + member + " exited with " + launcher.exitValue()
                    + "; see " + home(member).resolve("karaf.out"));
            }
            if (serves(member)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("member-" + member + " did not serve within " + timeout + "; see "
            + home(member).resolve("data/log"));
    }

    /**
     * Whether a member serves: RESTCONF answers, our RPCs are registered, and the shard manager of each datastore
     * reports SyncStatus (every local shard replica has a leader and is in sync with it).
     */
    boolean serves(final int member) throws InterruptedException {
        try {
            return get(member, "/data/ietf-yang-library:yang-library?fields=content-id").statusCode() == 200
                && post(member, "/operations/pcp-mapping:clear-gateway",
                    "{\"input\":{\"gateway-id\":\"readiness-probe\"}}").statusCode() == 200
                && "true".equals(mbean(member, "type=DistributedConfigDatastore,Category=ShardManager,"
                    + "name=shard-manager-config", "SyncStatus").orElse(""))
                && "true".equals(mbean(member, "type=DistributedOperationalDatastore,Category=ShardManager,"
                    + "name=shard-manager-operational", "SyncStatus").orElse(""));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The member that leads a shard, as a running member's replica of it reports.
     *
     * @param datastore "config" or "operational"
     * @param shard a shard name from module-shards.conf, e.g. "default"
     */
    Optional<Integer> shardLeader(final String datastore, final String shard) throws InterruptedException {
        final var type = "config".equals(datastore) ? "DistributedConfigDatastore" : "DistributedOperationalDatastore";
        for (int member = 1; member <= size; member++) {
            if (!running(member)) {
                continue;
            }
            try {
                final var leader = mbean(member, "type=" + type + ",Category=Shards,name=member-" + member
                    + "-shard-" + shard + "-" + datastore, "Leader");
                if (leader.isPresent() && leader.orElseThrow().startsWith("member-")) {
                    final var name = leader.orElseThrow();
                    return Optional.of(Integer.parseInt(name.substring(7, name.indexOf('-', 7))));
                }
            } catch (IOException e) {
                // this member does not answer; ask the next one
            }
        }
        return Optional.empty();
    }

    private Optional<String> mbean(final int member, final String name, final String attribute)
            throws IOException, InterruptedException {
        final var response = send(HttpRequest.newBuilder(URI.create("http://" + address(member)
            + ":8181/jolokia/read/org.opendaylight.controller:" + name + "/" + attribute)).GET());
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        final var matcher = VALUE.matcher(response.body());
        return matcher.find() && response.body().contains("\"status\":200") ? Optional.of(matcher.group(1))
            : Optional.empty();
    }

    boolean running(final int member) {
        return launchers[member - 1] != null && launchers[member - 1].isAlive();
    }

    /**
     * SIGKILL to a member's JVM and its launcher, by PID: a crash, nothing is shut down.
     */
    void kill(final int member) throws InterruptedException {
        signal(List.of(member), true);
    }

    /**
     * Stops members: SIGTERM to their JVMs and launchers by PID, all at once (a member left alone has no majority
     * for its shards and its shutdown waits on them), then SIGKILL to what has not exited after 60 s.
     */
    void stop(final List<Integer> members) throws InterruptedException {
        signal(members, false);
    }

    private void signal(final List<Integer> members, final boolean kill) throws InterruptedException {
        final var processes = new ArrayList<ProcessHandle>();
        for (var member : members) {
            final var launcher = launchers[member - 1];
            if (launcher != null) {
                Stream.concat(launcher.toHandle().descendants(), Stream.of(launcher.toHandle()))
                    .forEach(processes::add);
            }
        }
        processes.forEach(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        for (var process : processes) {
            try {
                process.onExit().get(kill ? 10 : 60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                process.destroyForcibly();
            }
        }
        for (var member : members) {
            final var launcher = launchers[member - 1];
            if (launcher != null) {
                launcher.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The resident set size of a member's JVM in KiB, if it runs.
     */
    Optional<Long> rssKib(final int member) throws IOException {
        return Distribution.rssKib(launchers[member - 1]);
    }

    String restconf(final int member) {
        return "http://" + address(member) + ":8181/rests";
    }

    HttpResponse<String> get(final int member, final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restconf(member) + path)).GET());
    }

    HttpResponse<String> put(final int member, final String path, final String json)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restconf(member) + path))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> post(final int member, final String path, final String json)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restconf(member) + path))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.header("Authorization", AUTH).header("Accept", "application/json")
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        final var members = new ArrayList<Integer>();
        for (int member = 1; member <= size; member++) {
            members.add(member);
        }
        try {
            stop(members);
        } finally {
            if (networkUp) {
                networkUp = false;
                script("net-down");
            }
        }
    }
}
