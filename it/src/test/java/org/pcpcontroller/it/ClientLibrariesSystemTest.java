/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Client libraries that applications ship, unmodified, against the booted distribution's UDP ingress: the offbynull
 * portmapper Java library (PCP and NAT-PMP, Maven Central) and js-libp2p's NAT-PMP client
 * {@code @achingbrain/nat-port-mapper} (npm). Each runs in its own process inside a network namespace whose default
 * route points at the address the ingress listens on, maps TCP and UDP, learns the external address, refreshes and
 * unmaps; RESTCONF shows the mappings come and go, and tshark decodes every request and answer independently.
 */
@SystemTest(root = true, tools = "ip")
class ClientLibrariesSystemTest {
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=lib-gw";
    private static final String MAPPINGS = "/data/pcp-mapping:mappings/gateway=lib-gw";
    private static final String SERVER = "10.77.0.1";
    private static final String CLIENT = "10.77.0.2";
    private static final String EXTERNAL = "192.0.3.1";
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private final String id = Long.toString(ProcessHandle.current().pid());
    private final String namespace = "pcpcl" + id;
    private final Path workdir = Fixture.workdir(ClientLibrariesSystemTest.class);
    private final Path root = Fixture.root();
    private final Path topology = Fixture.resource("client-ns.sh");
    private Distribution karaf;
    private Capture capture;
    private LineClient portmapper;
    private LineClient libp2p;

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        Shell.run(workdir, Map.of(), "bash", topology.toString(), "down", id);
        Shell.run(workdir, Map.of(), "bash", topology.toString(), "up", id);
        assertEquals(201, karaf.put(GATEWAY, gatewayJson(false)).statusCode());
        // the listener binds once the gateway is configured; the host end is inside the internal prefix
        Answers.await(new InetSocketAddress(SERVER, 0), new InetSocketAddress(SERVER, 5351), new byte[2],
            Duration.ofSeconds(30));
        if (Shell.onPath("tshark") && Shell.onPath("dumpcap")) {
            capture = Capture.start(workdir.resolve("client-libraries.pcapng"), "pcplh" + id, "udp port 5351");
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        for (var client : Arrays.asList(portmapper, libp2p)) {
            if (client != null) {
                client.close();
            }
        }
        if (capture != null) {
            capture.close();
        }
        Shell.exit("bash", topology.toString(), "down", id);
    }

    private static String gatewayJson(final boolean nonceTakeover) {
        return """
            {"pcp-gateway:gateway":[{
              "id":"lib-gw",
              "external-address":["%s"],
              "internal-prefix":["10.77.0.0/24"],
              "external-port-range":{"start":1024,"end":65535},
              "udp-ingress":{"listen-address":["%s"]},
              "policy":{"compatibility":{"nonce-takeover-on-refresh":%s}}
            }]}""".formatted(EXTERNAL, SERVER, nonceTakeover);
    }

    private String mappings() throws Exception {
        final var response = karaf.get(MAPPINGS);
        return response.statusCode() == 200 ? response.body() : "";
    }

    // whether the client's MAP entry (key: protocol, internal address, internal port) is in the datastore
    private boolean holds(final String protocol, final int internalPort) throws Exception {
        return karaf.get(MAPPINGS + "/map=" + protocol + "," + CLIENT + "," + internalPort).statusCode() == 200;
    }

    private void awaitHeld(final boolean held, final String protocol, final int... ports) throws Exception {
        for (int port : ports) {
            Await.until(protocol + " " + port + (held ? " to be stored" : " to be removed"),
                () -> Boolean.toString(holds(protocol, port)), Boolean.toString(held)::equals, Duration.ofSeconds(10));
        }
    }

    private String[] expect(final String answer, final String first) {
        final String[] words = answer.split(" ");
        assertEquals(first, words[0], answer);
        return words;
    }

    @Test
    @Order(1)
    void portmapperMapsTcpAndUdpOverPcp() throws Exception {
        portmapper = new LineClient(List.of("ip", "netns", "exec", namespace,
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), PortMapperClient.class.getName()), null, Map.of(),
            workdir.resolve("portmapper.log"));
        assertEquals("gateway " + SERVER + " " + CLIENT, portmapper.readLine());
        var words = expect(portmapper.ask("map pcp TCP 8080 0 600"), "mapped");
        assertEquals(List.of("8080", "8080", EXTERNAL, "600"), List.of(words).subList(1, 5));
        words = expect(portmapper.ask("map pcp UDP 8081 0 600"), "mapped");
        assertEquals(List.of("8081", "8081", EXTERNAL, "600"), List.of(words).subList(1, 5));
        awaitHeld(true, "tcp", 8080);
        awaitHeld(true, "udp", 8081);
        final var stored = mappings();
        assertTrue(stored.contains("\"origin\":\"pcp\""), stored);
    }

    @Test
    @Order(2)
    void portmapperPcpRefreshNeedsNonceTakeover() throws Exception {
        assumeTrue(portmapper != null, "portmapper did not start");
        // portmapper's refreshPort() sends a new MAP with a fresh random nonce (PcpPortMapper.mapPort calls
        // nextNonce() every time); RFC 6887 section 11.3 refuses that with NOT_AUTHORIZED, which the library
        // takes for no answer and gives up after its retries
        expect(portmapper.ask("refresh pcp TCP 8080 900"), "error");
        assertTrue(holds("tcp", 8080), "the refused refresh must leave the mapping");
        // miniupnpd's behaviour, behind the gateway's compatibility switch: a refresh with another nonce takes over
        assertEquals(204, karaf.put(GATEWAY, gatewayJson(true)).statusCode());
        final String answer = Await.until("a refresh with nonce takeover", () -> portmapper.ask(
            "refresh pcp TCP 8080 900"), text -> text.startsWith("refreshed"), Duration.ofSeconds(60));
        assertEquals(List.of("8080", "8080", EXTERNAL, "900"), List.of(answer.split(" ")).subList(1, 5));
        assertEquals(204, karaf.put(GATEWAY, gatewayJson(false)).statusCode());
    }

    @Test
    @Order(3)
    void portmapperUnmapsOverPcp() throws Exception {
        assumeTrue(portmapper != null, "portmapper did not start");
        expect(portmapper.ask("unmap pcp TCP 8080"), "unmapped");
        expect(portmapper.ask("unmap pcp UDP 8081"), "unmapped");
        awaitHeld(false, "tcp", 8080);
        awaitHeld(false, "udp", 8081);
    }

    @Test
    @Order(4)
    void portmapperMapsRefreshesAndUnmapsOverNatPmp() throws Exception {
        assumeTrue(portmapper != null, "portmapper did not start");
        // NAT-PMP mapping asks the public address first, so the external address comes from opcode 0
        var words = expect(portmapper.ask("map natpmp UDP 9000 0 600"), "mapped");
        assertEquals(List.of("9000", "9000", EXTERNAL, "600"), List.of(words).subList(1, 5));
        words = expect(portmapper.ask("map natpmp TCP 9001 0 600"), "mapped");
        assertEquals(List.of("9001", "9001", EXTERNAL, "600"), List.of(words).subList(1, 5));
        awaitHeld(true, "udp", 9000);
        awaitHeld(true, "tcp", 9001);
        final var stored = mappings();
        assertTrue(stored.contains("\"origin\":\"nat-pmp\""), stored);
        // NAT-PMP has no nonce: the library's refresh (a new mapping request) keeps the port
        words = expect(portmapper.ask("refresh natpmp UDP 9000 1200"), "refreshed");
        assertEquals(List.of("9000", "9000", EXTERNAL, "1200"), List.of(words).subList(1, 5));
        expect(portmapper.ask("unmap natpmp UDP 9000"), "unmapped");
        expect(portmapper.ask("unmap natpmp TCP 9001"), "unmapped");
        awaitHeld(false, "udp", 9000);
        awaitHeld(false, "tcp", 9001);
    }

    @Test
    @Order(5)
    void libp2pNatPortMapperMapsAndUnmapsOverNatPmp() throws Exception {
        assumeTrue(Shell.onPath("npm") && Shell.onPath("node"), "node and npm are missing; ./test.sh installs them");
        final var client = workdir.resolve("natpmp-client");
        Files.createDirectories(client);
        for (var file : List.of("package.json", "package-lock.json", "client.mjs")) {
            Files.copy(root.resolve("it/src/test/node/natpmp-client").resolve(file), client.resolve(file),
                StandardCopyOption.REPLACE_EXISTING);
        }
        // --prefer-offline: a machine whose npm cache holds the locked packages needs no registry
        Shell.run(workdir, Map.of(), "npm", "--prefix", client.toString(), "ci", "--prefer-offline", "--no-audit",
            "--no-fund");
        libp2p = new LineClient(List.of("ip", "netns", "exec", namespace, "node", "client.mjs"), client,
            Map.of("INTERNAL_ADDRESS", CLIENT), workdir.resolve("nat-port-mapper.log"));
        // default-gateway, as the library's README does, finds the controller through the namespace's route
        assertEquals("gateway " + SERVER + " eth0", libp2p.readLine());
        assertEquals("external " + EXTERNAL, libp2p.ask("external"));
        assertEquals("mapped TCP 7000 7000 " + EXTERNAL, libp2p.ask("map tcp 7000 600"));
        assertEquals("mapped UDP 7001 7001 " + EXTERNAL, libp2p.ask("map udp 7001 600"));
        awaitHeld(true, "tcp", 7000);
        awaitHeld(true, "udp", 7001);
        // the library's refresh is the same map() again: the port is kept
        assertEquals("mapped TCP 7000 7000 " + EXTERNAL, libp2p.ask("map tcp 7000 1200"));
        assertEquals("unmapped 7000", libp2p.ask("unmap tcp 7000"));
        assertEquals("unmapped 7001", libp2p.ask("unmap udp 7001"));
        awaitHeld(false, "tcp", 7000);
        awaitHeld(false, "udp", 7001);
    }

    @Test
    @Order(6)
    void tsharkSeesEveryAnswerFromTheGatewayAddressAsked() throws Exception {
        assumeTrue(capture != null, "tshark is missing; ./test.sh installs it");
        // every request answered, in the file: awaited, since a capture stopped at once loses its tail (Capture)
        capture.await("an answer to every request", lines -> lines.stream().filter(line -> line.startsWith("5351\t"))
            .count() >= lines.stream().filter(line -> line.endsWith("\t5351")).count(), "udp.port == 5351",
            "udp.srcport", "udp.dstport");
        capture.stop();
        final var answers = capture.fields("udp.srcport == 5351", "ip.src", "ip.dst");
        assertFalse(answers.isEmpty(), "no answers captured");
        // RFC 6887 section 8.2, RFC 6886 section 3.1: from the address the client asked, to the client's port
        for (var answer : answers) {
            assertTrue(answer.startsWith(SERVER + "\t"), answer);
        }
        final var decoded = capture.fields("udp.port == 5351 && !(portcontrol || nat-pmp)", "frame.number");
        assertTrue(decoded.isEmpty(), "datagrams tshark did not decode as PCP or NAT-PMP: " + decoded);
        final var problems = capture.decode("-Y",
            "udp.port == 5351 && (_ws.malformed || _ws.expert.severity >= 6291456)", "-V");
        assertTrue(problems.isBlank(), "malformed or expert warnings:\n" + problems);
        // the refused refresh: the same internal port under two nonces, the second answered NOT_AUTHORIZED (2)
        final var nonces = capture.fields(
            "portcontrol.request && portcontrol.map.internal_port == 8080 && portcontrol.map.protocol == 6",
            "portcontrol.map.nonce").stream().distinct().count();
        assertTrue(nonces >= 3, "map, refused refresh and taken-over refresh should use distinct nonces: " + nonces);
        final var refused = capture.fields(
            "portcontrol.response && portcontrol.map.internal_port == 8080 && portcontrol.result_code == 2",
            "frame.number");
        assertFalse(refused.isEmpty(), "the refresh with another nonce was not answered NOT_AUTHORIZED");
    }

    /**
     * A client process that answers one line per command line.
     */
    private static final class LineClient implements AutoCloseable {
        private final Process process;
        private final Writer input;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        LineClient(final List<String> command, final Path directory, final Map<String, String> environment,
                final Path log) throws IOException {
            final var builder = new ProcessBuilder(command).redirectError(log.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            process = builder.start();
            input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            final var reader = new Thread(() -> {
                try (var output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = output.readLine(); line != null; line = output.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("error " + e);
                }
            }, "client-output");
            reader.setDaemon(true);
            reader.start();
        }

        String readLine() throws InterruptedException {
            final String line = lines.poll(ANSWER.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(line, "no answer within " + ANSWER + (process.isAlive() ? "" : "; the client exited "
                + process.exitValue()));
            return line;
        }

        String ask(final String command) throws IOException, InterruptedException {
            input.write(command + "\n");
            input.flush();
            return readLine();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                input.write("quit\n");
                input.flush();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
