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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A gateway behind a carrier NAT that calls home (RFC 8071): the reference gateway in a namespace the controller
 * cannot reach (it/src/test/resources/callhome-topology.sh), whose call-home-relay dials the distribution's
 * call-home listener (port 4334). The controller must take the call only for the configured gateway with the pinned
 * host key, its mappings must render through the called-home session into nftables, and the gateway must come back
 * by itself after the controller restarts.
 *
 * <p>The listener alone is tested against the same gateway in impl's CallHomeGatewayTest; this class tests the
 * path from the gateway's configuration ({@code netconf/call-home}) through the netfilter renderer's transport to
 * rules in its nftables.
 */
@SystemTest(root = true, tools = { "netconfd", "sshd", "nft", "socat", "ssh-keygen" })
class CallHomeSystemTest {
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=ch-gw";

    private final String id = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String password = UUID.randomUUID().toString();
    private final Path workdir = Fixture.workdir(CallHomeSystemTest.class);
    private final Path topology = Fixture.resource("callhome-topology.sh");
    private Distribution karaf;
    private boolean topologyUp;
    private String hostKey = "";

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        topologyUp = true;
        // the relay dials 172.31.253.1:4334, where the listener (0.0.0.0:4334 by default) answers once the
        // gateway below is configured; until then its calls are refused and it backs off
        topology("up", "4334", password);
        hostKey = Files.readString(workdir.resolve("topology").resolve("host_key_sha256")).strip();
        final var created = karaf.put(GATEWAY, """
            {"pcp-gateway:gateway":[{
              "id":"ch-gw",
              "external-address":["172.31.253.2"],
              "internal-prefix":["10.0.0.0/24"],
              "external-port-range":{"start":1024,"end":65535},
              "render":{"response-timeout":5000},
              "netconf":{"call-home":[null],"username":"pcpchome","password":"%s","host-key-sha256":"%s",
                "keepalive-interval":2,"reconcile-interval":10}
            }]}""".formatted(password, hostKey));
        assertEquals(201, created.statusCode(), created.body());
    }

    @AfterAll
    void shutdown() throws Exception {
        if (topologyUp) {
            topology("down");
        }
    }

    private String topology(final String... args) throws Exception {
        final var command = new ArrayList<>(List.of("bash", topology.toString(), args[0],
            workdir.resolve("topology").toString(), id));
        command.addAll(Arrays.asList(args).subList(1, args.length));
        return Shell.run(workdir, Map.of("PCP_ROOT", Fixture.root().toString()), command.toArray(String[]::new));
    }

    private String nftOrEmpty() throws Exception {
        final String[] list = { "ip", "netns", "exec", "pcpchg" + id, "nft", "list", "table", "inet",
            "pcp-controller" };
        // no table yet is nothing rendered yet, not a failure
        return Shell.exit(list) == 0 ? Shell.run(workdir, Map.of(), list) : "";
    }

    private String netconfState() throws Exception {
        return karaf.get(GATEWAY + "/state/netconf").body();
    }

    private void addMapping(final int internalPort, final int externalPort) throws Exception {
        final var added = karaf.post("/operations/pcp-mapping:add-mapping", """
            {"input":{"gateway-id":"ch-gw","protocol":"tcp","internal-address":"10.0.0.2","internal-port":%d,
              "external-port":%d}}""".formatted(internalPort, externalPort));
        assertEquals(200, added.statusCode(), added.body());
    }

    @Test
    @Order(1)
    void theCallHomeSessionComesUpWithThePinnedKey() throws Exception {
        final var state = Await.until("the called-home session", this::netconfState,
            body -> body.contains("\"connection-status\":\"connected\""), Duration.ofSeconds(60));
        assertTrue(state.contains("\"host-key-sha256\":\"" + hostKey + "\""), state);
    }

    @Test
    @Order(2)
    void mappingsRenderThroughTheCalledHomeSession() throws Exception {
        addMapping(22, 10022);
        Await.until("the DNAT rule in the gateway's nftables", this::nftOrEmpty,
            text -> text.contains("dnat ip to 10.0.0.2:22"), Duration.ofSeconds(30));
    }

    @Test
    @Order(3)
    void theGatewayCallsBackAfterTheControllerRestarts() throws Exception {
        karaf.stop();
        karaf.start(Duration.ofMinutes(4));
        Await.until("the session back after the restart", this::netconfState,
            body -> body.contains("\"connection-status\":\"connected\""), Duration.ofSeconds(120));
        addMapping(80, 10080);
        final var table = Await.until("the new rule through the new session", this::nftOrEmpty,
            text -> text.contains("dnat ip to 10.0.0.2:80"), Duration.ofSeconds(30));
        // the mapping made before the restart is still rendered
        assertTrue(table.contains("dnat ip to 10.0.0.2:22"), table);
    }
}
