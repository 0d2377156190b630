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
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.ResultCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow path against a real Open vSwitch (userspace datapath): a bridge between namespaces {@code client}
 * (10.0.0.2) and {@code gw} (10.0.0.1), controlled by the booted distribution. Nothing listens on 5351 in
 * {@code gw}: natpmpc and PCP clients are answered through PACKET_IN and PACKET_OUT. A PEER with FLOW_PRIORITY
 * becomes two DSCP flows, checked in the switch's flow table and on the wire (tshark in both namespaces); the flows
 * come back, exactly as they were, after ovs-vswitchd restarts and after the flow table is wiped by hand, and go when
 * the mapping goes. Then the same punt and DSCP path once per
 * OpenFlow version the bridge offers (1.3, 1.4, 1.5 alone, and all three), on the same distribution.
 */
@SystemTest(root = true, tools = { "ovs-vswitchd", "natpmpc", "tshark", "dumpcap", "ethtool", "ip", "python3" })
class OpenFlowSystemTest {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowSystemTest.class);
    private static final String DATAPATH = "00:00:00:00:00:00:00:0a";
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=ovs-gw";
    private static final String MAPPINGS = "/data/pcp-mapping:mappings/gateway=ovs-gw";
    private static final String GATEWAY_JSON = """
        {"pcp-gateway:gateway":[{
          "id":"ovs-gw",
          "external-address":["192.0.3.1"],
          "internal-prefix":["10.0.0.0/24","2001:db8::/64"],
          "external-port-range":{"start":1024,"end":65535},
          "openflow":{"datapath-id":["%s"]}
        }]}""".formatted(DATAPATH);
    private static final String PUNT_COOKIE = "cookie=0x5043010000000000";
    private static final Pattern COUNTER = Pattern.compile("\"(packet-in|flow-mods|errors)\":\"?(\\d+)");
    /** What a dump shows that changes by itself: ages, counters, and the hard timeout left when a flow was re-added. */
    private static final Pattern VOLATILE = Pattern.compile(
        "\\b(duration|n_packets|n_bytes|idle_age|hard_age|hard_timeout)=[^ ,]*,? ?");
    private static final Nonce PEER_NONCE = new Nonce(0x1122334455667788L, 0x99aabbcc);

    private final PcpCodec codec = new PcpCodec();
    private final String id = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String client = "pcpc" + id;
    private final String gw = "pcpg" + id;
    private final String bridge = "pcpbr" + id;
    private final Path workdir = Fixture.workdir(OpenFlowSystemTest.class);
    private final Path topology = Fixture.resource("ovs-topology.sh");
    private final Path udp = Fixture.resource("udp.py");
    private Distribution karaf;
    private boolean topologyUp;
    private Capture clientCapture;

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        assertEquals(201, karaf.put(GATEWAY, GATEWAY_JSON).statusCode());
        topologyUp = true;
        run("bash", topology.toString(), "up", workdir.resolve("ovs").toString(), id, DATAPATH.replace(":", ""),
            "tcp:127.0.0.1:6654");
        clientCapture = Capture.inNamespace(client, workdir.resolve("client.pcapng"), "c-eth0",
            "udp port 5351 or udp port 5350");
    }

    @AfterAll
    void shutdown() throws Exception {
        if (clientCapture != null) {
            clientCapture.close();
        }
        if (topologyUp) {
            run("bash", topology.toString(), "down", workdir.resolve("ovs").toString(), id);
        }
    }

    @Test
    @Order(1)
    void switchConnectsAndGetsThePuntFlows() throws Exception {
        final var flows = Await.until("punt flows for IPv4 and IPv6", this::dumpFlows,
            dump -> dump.lines().filter(line -> line.contains(PUNT_COOKIE)).count() == 2, Duration.ofSeconds(60));
        assertTrue(flows.contains("tp_dst=5351"), flows);
        assertTrue(flows.contains("actions=NORMAL"), "the operator's own flow stays:\n" + flows);
        final var switches = karaf.get("/data/pcp-gateway:switches");
        assertEquals(200, switches.statusCode(), switches.body());
        assertTrue(switches.body().contains("\"datapath-id\":\"" + DATAPATH + "\""), switches.body());
        assertTrue(switches.body().contains("\"gateway\":\"ovs-gw\""), switches.body());
        assertTrue(switches.body().contains("\"openflow-version\":\"1.3\""), switches.body());
    }

    @Test
    @Order(2)
    void natpmpcIsAnsweredThroughPacketInAndPacketOut() throws Exception {
        final var listening = run("ip", "netns", "exec", gw, "ss", "-lun");
        assertFalse(listening.contains(":5351"), "nothing may listen on 5351 in gw:\n" + listening);
        final var address = run("ip", "netns", "exec", client, "natpmpc", "-g", "10.0.0.1");
        assertTrue(address.contains("Public IP address : 192.0.3.1"), address);
        final var map = run("ip", "netns", "exec", client, "natpmpc", "-g", "10.0.0.1", "-a", "5000", "5000", "udp",
            "3600");
        assertTrue(map.contains("Mapped public port 5000 protocol UDP to local port 5000"), map);
        final var mappings = karaf.get(MAPPINGS);
        assertEquals(200, mappings.statusCode(), mappings.body());
        assertTrue(mappings.body().contains("\"internal-address\":\"10.0.0.2\""), mappings.body());
        assertTrue(mappings.body().contains("\"origin\":\"nat-pmp\""), mappings.body());
    }

    @Test
    @Order(3)
    void pcpOverIpv6IsPuntedToo() throws Exception {
        final var client6 = InetAddresses.forString("2001:db8::2");
        final var request = codec.encode(new PcpRequest(2, 600, client6, new MapData(new Nonce(6, 6), 17, 6000, 0,
            InetAddresses.forString("::")), List.of()));
        final var response = Answers.pcp(run("ip", "netns", "exec", client, "python3", udp.toString(), "ask",
            "2001:db8::1", "5351", HexFormat.of().formatHex(request)).strip());
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        // IPv6 is not translated: the mapping is a firewall pinhole on the host's own address
        assertEquals(client6, ((MapData) response.data()).externalAddress());
        assertTrue(karaf.get(MAPPINGS).body().contains("\"internal-address\":\"2001:db8::2\""));
    }

    @Test
    @Order(4)
    void aSwitchNoGatewayClaimsIsShownButNotServed() throws Exception {
        run("bash", topology.toString(), "add-bridge", workdir.resolve("ovs").toString(), id, "00000000000000bb",
            "tcp:127.0.0.1:6654");
        final var switches = Await.until("the unclaimed switch in the operational state",
            () -> karaf.get("/data/pcp-gateway:switches/switch=00:00:00:00:00:00:00:bb").body(),
            body -> body.contains("\"openflow-version\":\"1.3\""), Duration.ofSeconds(30));
        assertFalse(switches.contains("\"gateway\""), switches);
        final var flows = run("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "pcpbx" + id);
        assertFalse(flows.contains("0x5043"), "an unclaimed switch gets no flows:\n" + flows);
    }

    @Test
    @Order(5)
    void peerWithFlowPriorityMarksBothDirections() throws Exception {
        assertEquals(ResultCode.SUCCESS, peer(3600).resultCode());
        final var flows = Await.until("DSCP flows", this::dumpFlows,
            dump -> dump.contains("set_field:46->ip_dscp") && dump.contains("set_field:10->ip_dscp"),
            Duration.ofSeconds(20));
        assertTrue(flows.contains("nw_src=10.0.0.2,nw_dst=10.0.0.1,tp_src=7000,tp_dst=9000"), flows);
        assertTrue(flows.contains("nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=9000,tp_dst=7000"), flows);

        // upstream, seen in gw: the PEER's flow carries DSCP 46, another flow of the same host carries 0
        try (var upstream = Capture.inNamespace(gw, workdir.resolve("upstream.pcapng"), "g-eth0", "udp port 9000")) {
            run("ip", "netns", "exec", client, "python3", udp.toString(), "send", "10.0.0.2", "7000", "10.0.0.1",
                "9000", "3");
            run("ip", "netns", "exec", client, "python3", udp.toString(), "send", "10.0.0.2", "7001", "10.0.0.1",
                "9000", "3");
            final var up = upstream.await("the six datagrams", lines -> lines.size() >= 6, "udp", "udp.srcport",
                "ip.dsfield.dscp");
            assertEquals(List.of("7000\t46", "7000\t46", "7000\t46", "7001\t0", "7001\t0", "7001\t0"),
                up.stream().sorted().toList(), up::toString);
        }

        // downstream, seen in client: DSCP 10
        try (var downstream = Capture.inNamespace(client, workdir.resolve("downstream.pcapng"), "c-eth0",
                "udp port 9000")) {
            run("ip", "netns", "exec", gw, "python3", udp.toString(), "send", "10.0.0.1", "9000", "10.0.0.2", "7000",
                "3");
            final var down = downstream.await("the three datagrams", lines -> lines.size() >= 3, "udp",
                "udp.dstport", "ip.dsfield.dscp");
            assertEquals(List.of("7000\t10", "7000\t10", "7000\t10"), down);
        }

        final var peer = MAPPINGS + "/peer=udp,10.0.0.2,7000,10.0.0.1,9000";
        final var status = Await.until("render status", () -> karaf.get(peer).body(),
            body -> body.contains("\"state\":\"installed\""), Duration.ofSeconds(10));
        assertTrue(status.contains("\"renderer\":\"openflow-dscp\""), status);
    }

    @Test
    @Order(6)
    void switchRestartGetsEveryFlowBack() throws Exception {
        final var before = ourFlows(dumpFlows());
        assertWanted(before);
        run("bash", topology.toString(), "restart-switch", workdir.resolve("ovs").toString(), id);
        final var flows = Await.until("exactly the punt and DSCP flows of before the restart", this::dumpFlows,
            dump -> ourFlows(dump).equals(before), Duration.ofSeconds(60));
        LOG.info("flows after the restart:\n{}", flows);
        assertWanted(ourFlows(flows));
        // and the punt path serves again
        final var address = run("ip", "netns", "exec", client, "natpmpc", "-g", "10.0.0.1");
        assertTrue(address.contains("Public IP address : 192.0.3.1"), address);
    }

    /**
     * An operator wipes the connected bridge's flow table by hand (and puts back only their own forwarding flow):
     * the switch reports each deleted flow (FLOW_REMOVED, reason DELETE: every flow of ours asks for it), and the
     * punt ingress and the DSCP renderer audit their flows and put back exactly what they want, long before the
     * periodic audit (every 60 s by default) would.
     */
    @Test
    @Order(7)
    void wipedFlowTableGetsExactlyTheWantedFlowsBack() throws Exception {
        final var before = ourFlows(Await.until("the flows of before the wipe, settled", this::dumpFlows,
            dump -> ourFlows(dump).size() == 4, Duration.ofSeconds(30)));
        assertWanted(before);
        final var log = karaf.home().resolve("data/log/karaf.log");
        final long logBefore = Files.size(log);
        run("bash", topology.toString(), "wipe-flows", workdir.resolve("ovs").toString(), id);
        final var flows = Await.until("exactly the punt and DSCP flows of before the wipe", this::dumpFlows,
            dump -> ourFlows(dump).equals(before), Duration.ofSeconds(30));
        LOG.info("flows after the wipe:\n{}", flows);
        assertWanted(ourFlows(flows));
        assertEquals(1, flows.lines().filter(line -> line.contains("actions=NORMAL")).count(), flows);
        // repaired through FLOW_REMOVED, not by the periodic audit
        final var logged = Await.until("the audits in the log", () -> logSince(log, logBefore),
            text -> text.contains("punt flow audit repairs") && text.contains("marking flow audit repairs"),
            Duration.ofSeconds(10));
        assertTrue(logged.contains("a punt flow was deleted behind our back"), logged);
        assertTrue(logged.contains("a marking flow was deleted behind our back"), logged);
        // and the punt path serves again
        final var address = run("ip", "netns", "exec", client, "natpmpc", "-g", "10.0.0.1");
        assertTrue(address.contains("Public IP address : 192.0.3.1"), address);
        // the repair settles: nothing more comes, nothing is repaired twice
        assertEquals(before, ourFlows(dumpFlows()));
    }

    @Test
    @Order(8)
    void deletingThePeerRemovesItsFlows() throws Exception {
        assertEquals(ResultCode.SUCCESS, peer(0).resultCode());
        final var flows = Await.until("no DSCP flow", this::dumpFlows, dump -> !dump.contains("ip_dscp"),
            Duration.ofSeconds(20));
        assertTrue(flows.contains("actions=NORMAL"), flows);
        assertEquals(2, flows.lines().filter(line -> line.contains(PUNT_COOKIE)).count(), flows);
    }

    @Test
    @Order(9)
    void tsharkDecodesEveryAnswerInTheClient() throws Exception {
        // the answers the client received above: natpmpc asks the public address before it maps, so three in
        // test 2, and one in each of tests 3, 5, 6, 7 and 8
        clientCapture.await("the answers", lines -> lines.size() >= 8, "udp.srcport == 5351", "frame.number");
        clientCapture.stop();
        final var sent = clientCapture.fields("udp.srcport == 5351", "frame.number");
        final var decoded = clientCapture.fields(
            "udp.srcport == 5351 && (portcontrol || nat-pmp) && !_ws.malformed && !_ws.expert", "frame.number");
        assertEquals(sent, decoded, "answers that did not decode cleanly");
        // checksums verified by tshark itself, not just by the client's kernel
        final var bad = clientCapture.decode("-o", "udp.check_checksum:TRUE", "-o",
            "ip.check_checksum:TRUE", "-Y", "udp.srcport == 5351 && (udp.checksum.status == \"Bad\" || "
                + "ip.checksum.status == \"Bad\")", "-T", "fields", "-e", "frame.number");
        assertTrue(bad.isBlank(), "answers with bad checksums: " + bad);
    }

    /**
     * The punt and DSCP path over each OpenFlow version: the bridge is restarted offering only {@code protocols}
     * (so every flow in it afterwards came over the negotiated version), gets the punt flows, answers PCP and NAT-PMP
     * through PACKET_IN/PACKET_OUT, gets and loses a PEER's DSCP flows, and the switch reported no OpenFlow error.
     */
    @ParameterizedTest(name = "protocols={0}")
    @ValueSource(strings = { "OpenFlow13", "OpenFlow14", "OpenFlow15", "OpenFlow13,OpenFlow14,OpenFlow15" })
    @Order(10)
    void everyOpenFlowVersionPuntsAndMarks(final String protocols) throws Exception {
        // the highest offered is what the controller (1.3 to 1.5) negotiates
        final var highest = protocols.substring(protocols.length() - 2);
        final var version = highest.charAt(0) + "." + highest.charAt(1);
        run("bash", topology.toString(), "protocols", workdir.resolve("ovs").toString(), id, protocols);
        final var switchPath = "/data/pcp-gateway:switches/switch=" + DATAPATH;
        Await.until("the switch connected over OpenFlow " + version, () -> karaf.get(switchPath).body(),
            body -> body.contains("\"openflow-version\":\"" + version + "\"")
                && body.contains("\"gateway\":\"ovs-gw\""), Duration.ofSeconds(60));
        final var punt = Await.until("punt flows over OpenFlow " + version, () -> dumpFlows(protocols),
            dump -> dump.lines().filter(line -> line.contains(PUNT_COOKIE)).count() == 2, Duration.ofSeconds(60));
        assertTrue(punt.contains("tp_dst=5351"), punt);

        assertEquals(ResultCode.SUCCESS, peer(3600).resultCode());
        final var marked = Await.until("DSCP flows over OpenFlow " + version, () -> dumpFlows(protocols),
            dump -> dump.contains("set_field:46->ip_dscp") && dump.contains("set_field:10->ip_dscp"),
            Duration.ofSeconds(20));
        assertTrue(marked.contains("nw_src=10.0.0.2,nw_dst=10.0.0.1,tp_src=7000,tp_dst=9000"), marked);
        final var peer = MAPPINGS + "/peer=udp,10.0.0.2,7000,10.0.0.1,9000";
        Await.until("render status over OpenFlow " + version, () -> karaf.get(peer).body(),
            body -> body.contains("\"state\":\"installed\""), Duration.ofSeconds(10));
        final var address = run("ip", "netns", "exec", client, "natpmpc", "-g", "10.0.0.1");
        assertTrue(address.contains("Public IP address : 192.0.3.1"), address);

        // a state published after the PEER's flows were acknowledged and the natpmpc request came in: any error
        // the switch sent for a flow came before the acknowledgement on the same connection
        final var counted = Await.until("the counters of OpenFlow " + version, () -> counters(switchPath),
            counters -> counters.getOrDefault("packet-in", 0L) >= 2 && counters.getOrDefault("flow-mods", 0L) >= 4,
            Duration.ofSeconds(30));
        assertEquals(0L, counted.get("errors"), () -> "OpenFlow errors over " + version + ": " + counted);
        // ovs-vswitchd writes is_connected into its database a while after the connection is up (the bridge was
        // restarted a few seconds ago): what must not happen is that it stays false because the switch dropped us
        Await.until("the bridge reports its controller connected over OpenFlow " + version,
            () -> run("ovs-vsctl", "get", "controller", bridge, "is_connected").strip(), "true"::equals,
            Duration.ofSeconds(30));

        assertEquals(ResultCode.SUCCESS, peer(0).resultCode());
        final var left = Await.until("no DSCP flow over OpenFlow " + version, () -> dumpFlows(protocols),
            dump -> !dump.contains("ip_dscp"), Duration.ofSeconds(20));
        assertEquals(2, left.lines().filter(line -> line.contains(PUNT_COOKIE)).count(), left);
        assertTrue(left.contains("actions=NORMAL"), left);
    }

    /**
     * This controller's flows in a dump (cookie 0x5043...), without what changes on every dump or re-add (age,
     * counters, the remaining hard timeout), sorted: two dumps with the same list hold exactly the same flows of ours,
     * no more, no fewer, none twice.
     */
    private static List<String> ourFlows(final String dump) {
        return dump.lines().filter(line -> line.contains("cookie=0x5043"))
            .map(line -> VOLATILE.matcher(line.strip()).replaceAll(""))
            .sorted().toList();
    }

    /** The flows wanted while the PEER lives: 2 punt flows (IPv4, IPv6) and the PEER's 2 DSCP flows. */
    private static void assertWanted(final List<String> flows) {
        assertEquals(2, flows.stream().filter(line -> line.contains(PUNT_COOKIE)).count(), flows::toString);
        assertEquals(2, flows.stream().filter(line -> line.contains("cookie=0x504302")).count(), flows::toString);
        assertEquals(1, flows.stream().filter(line -> line.contains("set_field:46->ip_dscp")).count(),
            flows::toString);
        assertEquals(1, flows.stream().filter(line -> line.contains("set_field:10->ip_dscp")).count(),
            flows::toString);
        assertEquals(4, flows.size(), flows::toString);
    }

    private static String logSince(final Path log, final long offset) throws Exception {
        final var bytes = Files.readAllBytes(log);
        return new String(bytes, (int) Math.min(offset, bytes.length), (int) Math.max(0, bytes.length - offset),
            java.nio.charset.StandardCharsets.UTF_8);
    }

    private Map<String, Long> counters(final String switchPath) throws Exception {
        final var matcher = COUNTER.matcher(karaf.get(switchPath).body());
        final var counters = new HashMap<String, Long>();
        while (matcher.find()) {
            counters.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return counters;
    }

    private PcpResponse peer(final int lifetime) throws Exception {
        final var request = codec.encode(new PcpRequest(2, lifetime, InetAddresses.forString("10.0.0.2"),
            new PeerData(PEER_NONCE, 17, 7000, 0, InetAddresses.forString("::ffff:0.0.0.0"), 9000,
                InetAddresses.forString("10.0.0.1")),
            List.of(new FlowPriorityOption(new FlowPriority(46, 10), false))));
        return Answers.pcp(run("ip", "netns", "exec", client, "python3", udp.toString(), "ask", "10.0.0.1", "5351",
            HexFormat.of().formatHex(request)).strip());
    }

    private String dumpFlows() throws Exception {
        return dumpFlows("OpenFlow13");
    }

    private String dumpFlows(final String protocols) throws Exception {
        return run("ovs-ofctl", "-O", protocols, "dump-flows", bridge);
    }

    private String run(final String... command) throws Exception {
        // the OVS tools find the private daemons through OVS_RUNDIR
        return Shell.run(workdir, Map.of("OVS_RUNDIR", workdir.resolve("ovs").toString()), command);
    }

}
