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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.api.pcp.ThirdPartyOption;

/**
 * The booted distribution serving real clients on its direct UDP ingress (127.0.0.1:5351): Debian's natpmpc, and
 * crafted PCP requests with every option. tshark, an independent decoder, checks every answer on the wire.
 */
// a low client rate, so that a flood in twoHomesSharingAClientAddressHaveTheirOwnLimits lasts; the other tests send
// far fewer than 100 requests from one address
@SystemTest(etc = { "org.pcpcontroller.ingress.udp.cfg", "clientRate=1\nclientBurst=100\n" })
class UdpIngressSystemTest {
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=udp-gw";
    private static final String MAPPINGS = "/data/pcp-mapping:mappings/gateway=udp-gw";
    private static final InetAddress LOOPBACK = InetAddresses.forString("127.0.0.1");
    private static final InetSocketAddress SERVER = new InetSocketAddress(LOOPBACK, 5351);
    private static final String GATEWAY_JSON = """
        {"pcp-gateway:gateway":[{
          "id":"udp-gw",
          "external-address":["192.0.3.1"],
          "internal-prefix":["127.0.0.0/8","::1/128"],
          "external-port-range":{"start":20000,"end":60000},
          "udp-ingress":{"listen-address":["127.0.0.1","::1"]},
          "policy":{"third-party-prefix":["127.0.0.1/32"]}
        }]}""";

    private static final String OTHER_GATEWAY = "/data/pcp-gateway:gateways/gateway=udp-gw-b";
    private static final String OTHER_GATEWAY_JSON = """
        {"pcp-gateway:gateway":[{
          "id":"udp-gw-b",
          "external-address":["192.0.3.2"],
          "internal-prefix":["127.0.0.0/8"],
          "udp-ingress":{"listen-address":["127.0.0.2"]},
          "policy":{"request-rate":10}
        }]}""";

    private final PcpCodec codec = new PcpCodec();
    private final List<byte[]> answers = new ArrayList<>();
    private final Path workdir = Fixture.workdir(UdpIngressSystemTest.class);
    private Distribution karaf;
    private Capture capture;

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        assertEquals(201, karaf.put(GATEWAY, GATEWAY_JSON).statusCode());
        // the listener binds once the gateway is configured
        Answers.await(new InetSocketAddress(LOOPBACK, 0), SERVER, new byte[] { 0, 0 }, Duration.ofSeconds(30));
        // tshark on lo needs root; without it the last test is skipped
        if (Shell.onPath("tshark") && Shell.onPath("dumpcap") && "root".equals(System.getProperty("user.name"))) {
            capture = Capture.start(workdir.resolve("udp-ingress.pcapng"), "lo", "udp port 5351");
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        if (capture != null) {
            capture.close();
        }
    }

    private static DatagramSocket client(final InetAddress address) throws IOException {
        return new DatagramSocket(new InetSocketAddress(address, 0));
    }

    private byte[] exchange(final DatagramSocket socket, final byte[] request) throws IOException {
        return exchange(socket, request, SERVER);
    }

    private byte[] exchange(final DatagramSocket socket, final byte[] request, final InetSocketAddress server)
            throws IOException {
        socket.send(new DatagramPacket(request, request.length, server));
        final var answer = receive(socket);
        if (answer != null) {
            answers.add(answer);
        }
        return answer;
    }

    private PcpResponse pcp(final PcpRequest request) throws IOException {
        return pcp(request, SERVER);
    }

    private PcpResponse pcp(final PcpRequest request, final InetSocketAddress server) throws IOException {
        try (var socket = client(request.clientAddress())) {
            socket.setSoTimeout(5000);
            return Answers.pcp(exchange(socket, codec.encode(request), server));
        }
    }

    private String run(final String... command) throws Exception {
        return Shell.run(workdir, Map.of(), command);
    }

    private String mappings() throws Exception {
        final var response = karaf.get(MAPPINGS);
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    @Order(1)
    void natpmpcGetsThePublicAddress() throws Exception {
        assumeTrue(Shell.onPath("natpmpc"), "natpmpc is not installed; ./test.sh installs it");
        final var output = run("natpmpc", "-g", "127.0.0.1");
        assertTrue(output.contains("Public IP address : 192.0.3.1"), output);
    }

    @Test
    @Order(2)
    void natpmpcMapsUdpAndTcp() throws Exception {
        assumeTrue(Shell.onPath("natpmpc"), "natpmpc is not installed; ./test.sh installs it");
        var output = run("natpmpc", "-g", "127.0.0.1", "-a", "40000", "4000", "udp", "3600");
        assertTrue(output.contains("Mapped public port 40000 protocol UDP to local port 4000 liftime 3600"), output);
        output = run("natpmpc", "-g", "127.0.0.1", "-a", "40001", "4001", "tcp", "3600");
        assertTrue(output.contains("Mapped public port 40001 protocol TCP to local port 4001 liftime 3600"), output);
        output = run("natpmpc", "-g", "127.0.0.1", "-a", "40002", "4002", "tcp", "3600");
        assertTrue(output.contains("Mapped public port 40002 protocol TCP"), output);
        final var stored = mappings();
        assertTrue(stored.contains("\"internal-port\":4000"), stored);
        assertTrue(stored.contains("\"external-port\":40001"), stored);
        assertTrue(stored.contains("\"origin\":\"nat-pmp\""), stored);
    }

    @Test
    @Order(3)
    void natpmpcDeletes() throws Exception {
        assumeTrue(Shell.onPath("natpmpc"), "natpmpc is not installed; ./test.sh installs it");
        final var output = run("natpmpc", "-g", "127.0.0.1", "-a", "40000", "4000", "udp", "0");
        assertTrue(output.contains("readnatpmpresponseorretry returned 0 (OK)"), output);
        assertFalse(mappings().contains("\"internal-port\":4000"));
    }

    @Test
    @Order(4)
    void natpmpcDeleteAllRemovesEveryTcpMappingOfTheHost() throws Exception {
        assumeTrue(Shell.onPath("natpmpc"), "natpmpc is not installed; ./test.sh installs it");
        // internal port 0 and lifetime 0: all of the host's TCP mappings (RFC 6886 section 3.4)
        final var output = run("natpmpc", "-g", "127.0.0.1", "-a", "0", "0", "tcp", "0");
        assertTrue(output.contains("Mapped public port 0 protocol TCP to local port 0 liftime 0"), output);
        final var stored = mappings();
        assertFalse(stored.contains("\"external-port\":40001"), stored);
        assertFalse(stored.contains("\"external-port\":40002"), stored);
    }

    @Test
    @Order(5)
    void pcpMapWithEveryOption() throws Exception {
        final var nonce = new Nonce(0x0102030405060708L, 0x090a0b0c);
        final var filter = new FilterOption(120, 80, InetAddresses.forString("198.51.100.0"));
        final var options = List.<PcpOption>of(new ThirdPartyOption(InetAddresses.forString("127.0.0.5")),
            new PreferFailureOption(), filter, new DescriptionOption("system test map"),
            new FlowPriorityOption(new FlowPriority(46, 10), false));
        final var response = pcp(new PcpRequest(2, 7200, LOOPBACK, new MapData(nonce, 6, 8080, 45000,
            InetAddresses.forString("::ffff:0.0.0.0")), options));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(7200, response.lifetime());
        final var data = (MapData) response.data();
        assertEquals(45000, data.externalPort());
        assertEquals(InetAddresses.forString("192.0.3.1"), data.externalAddress());
        assertTrue(response.options().contains(filter));

        final var stored = mappings();
        assertTrue(stored.contains("\"internal-address\":\"127.0.0.5\""), stored);
        assertTrue(stored.contains("\"client-address\":\"127.0.0.1\""), stored);
        assertTrue(stored.contains("\"description\":\"system test map\""), stored);
        assertTrue(stored.contains("\"dscp-up\":46"), stored);
        assertTrue(stored.contains("\"remote-peer-address\":\"198.51.100.0\""), stored);
        assertTrue(stored.contains("\"nonce\":\"0102030405060708090a0b0c\""), stored);
        assertTrue(stored.contains("\"origin\":\"pcp\""), stored);
        assertTrue(stored.contains("\"expires\""), stored);
    }

    @Test
    @Order(6)
    void pcpPeerWithFlowPriority() throws Exception {
        final var response = pcp(new PcpRequest(2, 3600, LOOPBACK, new PeerData(new Nonce(7, 7), 17, 5004, 0,
            InetAddresses.forString("::ffff:0.0.0.0"), 5004, InetAddresses.forString("198.51.100.7")),
            List.of(new FlowPriorityOption(new FlowPriority(46, 10), false), new DescriptionOption("voice"))));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        final var stored = mappings();
        assertTrue(stored.contains("\"remote-peer-address\":\"198.51.100.7\""), stored);
        assertTrue(stored.contains("\"description\":\"voice\""), stored);
    }

    @Test
    @Order(7)
    void pcpAnnounceAndErrorsAreAnswered() throws Exception {
        final var announce = pcp(new PcpRequest(2, 0, LOOPBACK, new AnnounceData(), List.of()));
        assertEquals(ResultCode.SUCCESS, announce.resultCode());
        assertEquals(0, announce.lifetime());
        // a client address that is not the source: the answer is the whole request with the error
        final var mismatch = codec.encode(new PcpRequest(2, 3600, InetAddresses.forString("127.0.0.9"),
            new MapData(new Nonce(1, 1), 17, 6000, 0, InetAddresses.forString("::ffff:0.0.0.0")),
            List.of(new DescriptionOption("x"))));
        try (var socket = client(LOOPBACK)) {
            socket.setSoTimeout(5000);
            final var answer = exchange(socket, mismatch);
            assertEquals(mismatch.length, answer.length);
            assertEquals(ResultCode.ADDRESS_MISMATCH.code(), answer[3]);
        }
        // a lifetime-0 MAP deletes the one made above (same nonce, same host through THIRD_PARTY)
        final var delete = pcp(new PcpRequest(2, 0, LOOPBACK, new MapData(new Nonce(0x0102030405060708L,
            0x090a0b0c), 6, 8080, 0, InetAddresses.forString("::ffff:0.0.0.0")),
            List.of(new ThirdPartyOption(InetAddresses.forString("127.0.0.5")))));
        assertEquals(ResultCode.SUCCESS, delete.resultCode());
        assertFalse(mappings().contains("\"internal-address\":\"127.0.0.5\""));
    }

    @Test
    @Order(8)
    void pcpOverIpv6MapsAFirewallPinhole() throws Exception {
        final var v6 = InetAddresses.forString("::1");
        final var response = pcp(new PcpRequest(2, 600, v6, new MapData(new Nonce(6, 6), 17, 7000, 0,
            InetAddresses.forString("::")), List.of()), new InetSocketAddress(v6, 5351));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(v6, ((MapData) response.data()).externalAddress());
        assertEquals(7000, ((MapData) response.data()).externalPort());
        assertTrue(mappings().contains("\"internal-address\":\"::1\""));
    }

    /**
     * Two homes with the same private addresses are two tenants (issue 13, item 4): a client's rate is its own in
     * each home, and one home's request-rate does not touch the other's. The distribution runs with a client rate of
     * 1 request/s and a burst of 100 (set in etc/org.pcpcontroller.ingress.udp.cfg at boot), so that a flood uses
     * a client's budget up for far longer than this test takes.
     */
    @Test
    @Order(9)
    void twoHomesSharingAClientAddressHaveTheirOwnLimits() throws Exception {
        final var other = new InetSocketAddress(InetAddresses.forString("127.0.0.2"), 5351);
        assertEquals(201, karaf.put(OTHER_GATEWAY, OTHER_GATEWAY_JSON).statusCode());
        final byte[] publicAddress = { 0, 0 };
        try (var socket = client(LOOPBACK)) {
            socket.setSoTimeout(500);
            // its listener binds once the gateway is configured
            Answers.await(new InetSocketAddress(LOOPBACK, 0), other, publicAddress, Duration.ofSeconds(30));

            // 127.0.0.1 floods the first home: far more than its burst, answers or not
            for (int i = 0; i < 300; i++) {
                socket.send(new DatagramPacket(publicAddress, 2, SERVER));
            }
            int answered = 0;
            socket.setSoTimeout(300);
            while (receive(socket) != null) {
                answered++;
            }
            assertTrue(answered < 300, "the flood was not limited: " + answered + " of 300 answered");
            // the same address in the other home is another client, with its budget untouched
            socket.setSoTimeout(5000);
            assertTrue(exchange(socket, publicAddress, other) != null, "the other home's 127.0.0.1 was limited too");
        }

        // 30 clients of the second home together exceed its request-rate of 10/s; the first home serves the same
        // 30 addresses, and drops nothing over its own rate
        final var sockets = new ArrayList<DatagramSocket>();
        try {
            for (int i = 1; i <= 30; i++) {
                sockets.add(client(InetAddresses.forString("127.0.1." + i)));
            }
            for (var socket : sockets) {
                socket.send(new DatagramPacket(publicAddress, 2, other));
            }
            for (var socket : sockets) {
                socket.setSoTimeout(5000);
                assertTrue(exchange(socket, publicAddress) != null, "the first home did not serve "
                    + socket.getLocalAddress());
            }
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
        Await.until("the second home's drops over its request-rate",
            () -> karaf.get(OTHER_GATEWAY + "/state/counters").body(),
            counters -> counters.matches("(?s).*\"dropped-over-request-rate\":\"?[1-9].*"), Duration.ofSeconds(30));
        final var own = karaf.get(GATEWAY + "/state/counters").body();
        assertTrue(own.matches("(?s).*\"dropped-over-request-rate\":\"?0\"?[,}].*"), own);
        assertEquals(204, karaf.delete(OTHER_GATEWAY).statusCode());
    }

    private static byte[] receive(final DatagramSocket socket) throws IOException {
        final var buffer = new byte[1500];
        final var packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    @Test
    @Order(10)
    void tsharkDecodesEveryAnswerWithoutWarnings() throws Exception {
        assumeTrue(capture != null, "no capture: tshark on lo needs the tshark package and root; ./test.sh provides "
            + "both");
        // the new gateway's epoch is announced to all nodes, PCP and NAT-PMP, repeatedly: some fall in the capture
        final String announced = "ip.dst == 224.0.0.1 && udp.dstport == 5350 && (portcontrol || nat-pmp)";
        capture.await("both epoch announcements", info -> String.join("\n", info).contains("Announce Response")
            && String.join("\n", info).contains("External Address Response"), announced, "_ws.col.Info");
        capture.await("every answer received", lines -> lines.size() >= answers.size(), "udp.srcport == 5351",
            "frame.number");
        capture.stop();
        final var responses = capture.fields("udp.srcport == 5351 && (portcontrol || nat-pmp)", "frame.number");
        final var sent = capture.fields("udp.srcport == 5351", "frame.number");
        assertTrue(sent.size() >= answers.size(), "captured " + sent.size() + " answers, received " + answers.size());
        assertEquals(sent, responses, "answers tshark did not decode as PCP or NAT-PMP");
        final var problems = capture.decode("-Y",
            "udp.srcport == 5351 && (_ws.malformed || _ws.expert.severity >= 6291456)", "-V");
        assertTrue(problems.isBlank(), "malformed or expert warnings:\n" + problems);
        final var announcements = String.join("\n", capture.fields(announced, "_ws.col.Info"));
        assertTrue(announcements.contains("Announce Response"), announcements);
        assertTrue(announcements.contains("External Address Response"), announcements);
    }
}
