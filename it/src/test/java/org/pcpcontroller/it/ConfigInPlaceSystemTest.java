/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Configuration changes apply in place (issue 12): a renderer's setting written into the running distribution's
 * {@code etc/} (Karaf's fileinstall hands it to Config Admin, DS to the component) reaches the renderer without
 * restarting it, and a NAT-PMP client (Debian's natpmpc, on the direct UDP ingress) is served before and after.
 *
 * <p>The OpenFlow half (a connected switch's {@code connected-since} in {@code pcp-gateway:switches} unchanged
 * across a change of an OpenFlow setting) is not here yet; see the class's report in the tests branch.
 */
@SystemTest(tools = { "natpmpc" })
class ConfigInPlaceSystemTest {
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=in-place-gw";
    private static final String GATEWAY_JSON = """
        {"pcp-gateway:gateway":[{
          "id":"in-place-gw",
          "external-address":["192.0.3.7"],
          "internal-prefix":["127.0.0.0/8"],
          "external-port-range":{"start":20000,"end":60000},
          "udp-ingress":{"listen-address":["127.0.0.1"]}
        }]}""";
    private static final String STARTED = "NETCONF netfilter renderer started";
    private static final String STOPPED = "NETCONF netfilter renderer stopped";
    private static final String RECONFIGURED = "NETCONF netfilter renderer reconfigured: 3 threads";

    private final Path workdir = Fixture.workdir(ConfigInPlaceSystemTest.class);
    private Distribution karaf;

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        assertEquals(201, karaf.put(GATEWAY, GATEWAY_JSON).statusCode());
        // the listener binds once the gateway is configured
        final var loopback = InetAddresses.forString("127.0.0.1");
        Answers.await(new InetSocketAddress(loopback, 0), new InetSocketAddress(loopback, 5351),
            new byte[] { 0, 0 }, Duration.ofSeconds(30));
    }

    private String natpmpc(final String... arguments) throws Exception {
        final var command = new String[arguments.length + 3];
        command[0] = "natpmpc";
        command[1] = "-g";
        command[2] = "127.0.0.1";
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        return Shell.run(workdir, Map.of(), command);
    }

    /**
     * The netfilter renderer's lifecycle lines in the distribution's log, oldest first.
     */
    private List<String> rendererLines() throws IOException {
        final var log = karaf.home().resolve("data/log/karaf.log");
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
            .filter(line -> line.contains("NETCONF netfilter renderer"))
            .toList();
    }

    @Test
    @Order(1)
    void aClientIsServedBeforeTheChange() throws Exception {
        final var output = natpmpc("-a", "40000", "4000", "udp", "3600");
        assertTrue(output.contains("Mapped public port 40000 protocol UDP to local port 4000"), output);
        assertEquals(List.of(), rendererLines().stream().filter(line -> line.contains(STOPPED)).toList());
    }

    @Test
    @Order(2)
    void theRendererTakesANewSettingWithoutRestarting() throws Exception {
        // the operator's edit of the shipped file (threads = 2, the default) in the running distribution
        karaf.configure("org.pcpcontroller.render.netfilter.cfg", Map.of("threads", "3"));
        // the positive signal that the component has the new setting; a restart shows in the lines seen
        final var lines = Await.until("the netfilter renderer to log '" + RECONFIGURED + "'", this::rendererLines,
            seen -> seen.stream().anyMatch(line -> line.contains(RECONFIGURED)), Duration.ofSeconds(60));
        assertEquals(List.of(), lines.stream().filter(line -> line.contains(STOPPED)).toList(),
            "the renderer was restarted: " + lines);
        assertEquals(1, lines.stream().filter(line -> line.contains(STARTED)).count(), lines.toString());
    }

    @Test
    @Order(3)
    void theClientIsStillServedAfterTheChange() throws Exception {
        // the refresh of the mapping made before the change gets the same port
        var output = natpmpc("-a", "40000", "4000", "udp", "3600");
        assertTrue(output.contains("Mapped public port 40000 protocol UDP to local port 4000"), output);
        output = natpmpc("-a", "40001", "4001", "tcp", "3600");
        assertTrue(output.contains("Mapped public port 40001 protocol TCP to local port 4001"), output);
    }
}
