/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.opendaylight.netconf.api.NetconfTerminationReason;
import org.opendaylight.netconf.api.messages.NetconfMessage;
import org.opendaylight.netconf.api.xml.XmlUtil;
import org.opendaylight.netconf.client.NetconfClientSession;
import org.opendaylight.netconf.client.NetconfClientSessionListener;
import org.opendaylight.netconf.common.di.DefaultNetconfTimer;
import org.opendaylight.netconf.shaded.sshd.common.NamedResource;
import org.opendaylight.netconf.shaded.sshd.common.config.keys.FilePasswordProvider;
import org.opendaylight.netconf.shaded.sshd.common.util.security.SecurityUtils;
import org.pcpcontroller.impl.Await;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

/**
 * The call-home listener against the reference gateway (netconfd behind OpenSSH's sshd, gateway/start-gateway.sh)
 * behind a carrier NAT: its call-home-relay dials the listener, the controller cannot dial it. The controller gets
 * a NETCONF session over the gateway's call and reads its pcp-netfilter configuration; an unknown host key never
 * sees a credential; wrong credentials reach the waiting renderer as a reason; a second call while the session is
 * alive is refused, a call while the session silently died replaces it; and the relay calls back after the
 * listener restarts. Needs root, netconfd, sshd, socat and nftables (./test.sh installs them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallHomeGatewayTest {
    private static final Logger LOG = LoggerFactory.getLogger(CallHomeGatewayTest.class);
    private static final InetSocketAddress LISTEN = new InetSocketAddress("172.31.253.1", 4334);
    private static final String NETFILTER = "urn:pcpcontroller:yang:pcp-netfilter";
    private static final Duration CALL = Duration.ofSeconds(60);

    /**
     * A renderer's NETCONF listener, reduced to what the test checks: replies by message-id and the session's end.
     */
    private static final class Listener implements NetconfClientSessionListener {
        private final ConcurrentHashMap<String, CompletableFuture<Document>> replies = new ConcurrentHashMap<>();
        private final CompletableFuture<String> down = new CompletableFuture<>();
        private final AtomicInteger ups = new AtomicInteger();
        private final AtomicLong messageId = new AtomicLong();

        Document rpc(final NetconfClientSession session, final String body) throws Exception {
            final var id = Long.toString(messageId.incrementAndGet());
            final var reply = new CompletableFuture<Document>();
            replies.put(id, reply);
            session.sendMessage(new NetconfMessage(XmlUtil.readXmlToDocument("<rpc message-id=\"" + id
                + "\" xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">" + body + "</rpc>")));
            return reply.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void onSessionUp(final NetconfClientSession session) {
            ups.incrementAndGet();
        }

        @Override
        public void onSessionDown(final NetconfClientSession session, final Exception cause) {
            down.complete("down: " + cause.getMessage());
        }

        @Override
        public void onSessionTerminated(final NetconfClientSession session, final NetconfTerminationReason reason) {
            down.complete("terminated: " + reason.getErrorMessage());
        }

        @Override
        public void onMessage(final NetconfClientSession session, final NetconfMessage message) {
            final var document = message.getDocument();
            final var reply = replies.remove(document.getDocumentElement().getAttribute("message-id"));
            if (reply != null) {
                reply.complete(document);
            }
        }

        @Override
        public void onError(final NetconfClientSession session, final Exception cause) {
            LOG.warn("undecodable message", cause);
        }
    }

    private final String id = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String password = UUID.randomUUID().toString();
    private final DefaultNetconfTimer timer = new DefaultNetconfTimer();
    private Path repository;
    private Path topology;
    private Path dir;
    private boolean up;
    private String hostKey;
    private CallHomeServer server;
    private CallHomeGateway gateway;
    private NetconfClientSession session;
    private Listener listener;

    @BeforeAll
    void topologyUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && List.of("/usr/sbin/netconfd", "/usr/sbin/sshd",
            "/usr/bin/socat", "/usr/sbin/nft", "/usr/bin/ssh-keygen").stream().allMatch(f -> Files.isExecutable(
                Path.of(f))), "needs root, netconfd, sshd, socat and nftables; ./test.sh provides them");
        // surefire runs in the module's directory
        repository = Path.of("").toAbsolutePath().getParent();
        // shared with the system test, which runs the same gateway against the distribution
        topology = repository.resolve("it/src/test/resources/callhome-topology.sh");
        dir = Path.of("target", "callhome-" + id).toAbsolutePath();
        Files.createDirectories(dir);
        up = true;
        topology("up", Integer.toString(LISTEN.getPort()), password);
        hostKey = Files.readString(dir.resolve("host_key_sha256")).strip();
        server = new CallHomeServer(timer, LISTEN, 8);
    }

    @AfterAll
    void topologyDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (up) {
            topology("down");
        }
        timer.close();
    }

    private String topology(final String... args) throws Exception {
        final var command = new ArrayList<>(List.of("bash", topology.toString(), args[0], dir.toString(), id));
        command.addAll(List.of(args).subList(1, args.length));
        final var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PCP_ROOT", repository.toString());
        final var process = builder.start();
        final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        LOG.info("{} (exit {}):\n{}", command, process.exitValue(), output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private String gatewayLog(final String name) throws IOException {
        final var log = Path.of("/tmp/pcpchgw-" + id, name);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private CallHomeGateway register(final String name, final String key, final SshCredentials credentials) {
        return assertInstanceOf(Registration.Registered.class, server.register(name, key, credentials)).gateway();
    }

    private NetconfClientSession nextSession(final Listener sessionListener) throws Exception {
        return gateway.nextSession(sessionListener).get(CALL.toSeconds(), TimeUnit.SECONDS);
    }

    /** Reads the gateway's pcp-netfilter configuration over the session. */
    private static String netfilter(final NetconfClientSession over, final Listener through) throws Exception {
        final var reply = through.rpc(over, "<get-config><source><running/></source><filter type=\"subtree\">"
            + "<netfilter xmlns=\"" + NETFILTER + "\"/></filter></get-config>");
        return XmlUtil.toString(reply);
    }

    private static KeyPair clientKey(final Path file) throws Exception {
        final var keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("client_key"),
            new ByteArrayInputStream(Files.readAllBytes(file)), FilePasswordProvider.EMPTY);
        return keys.iterator().next();
    }

    @Test
    @Order(1)
    void theControllerCannotDialTheGateway() {
        // the gateway's address, where a dialing controller would go: the carrier NAT drops what comes in
        assertThrows(IOException.class, () -> {
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("172.31.253.2", 830), 2_000);
            }
        });
    }

    @Test
    @Order(2)
    void aHostKeyOfNoRegisteredGatewayIsRefusedBeforeAnyCredentialIsSent() throws Exception {
        // another gateway keeps the listener up; the reference gateway's key identifies nobody yet
        register("someone-else", "SHA256:" + "Z".repeat(43), new SshCredentials.Password("x", "y"));
        final var counters = Await.until(CALL, server::counters, seen -> seen.unknownHostKeys() > 0);
        assertTrue(counters.lastUnknownHostKey().startsWith(hostKey + " from 172.31.253.2:"),
            counters.lastUnknownHostKey());
        assertEquals(0, counters.sessions());
        // the gateway's sshd saw no authentication at all
        final var sshd = gatewayLog("sshd.log");
        assertFalse(sshd.contains("Accepted ") || sshd.contains("Failed "), sshd);
    }

    @Test
    @Order(3)
    void aCallingGatewayGivesASessionOverWhichItsConfigurationIsRead() throws Exception {
        gateway = register("home-1", hostKey, new SshCredentials.Password("pcpchome", password));
        listener = new Listener();
        session = nextSession(listener);

        assertEquals(1, listener.ups.get());
        assertTrue(session.getServerCapabilities().stream().anyMatch(capability -> capability.startsWith(NETFILTER)),
            session.getServerCapabilities().toString());
        final var config = netfilter(session, listener);
        assertTrue(config.contains("<table>pcp-controller</table>"), config);
        assertEquals(1, server.counters().sessions());
        assertTrue(gatewayLog("sshd.log").contains("Accepted password for pcpchome"));
    }

    @Test
    @Order(4)
    void aSecondCallWhileTheSessionIsAliveIsRefusedAndTheSessionStays() throws Exception {
        topology("second-relay", Integer.toString(LISTEN.getPort()));
        Await.until(CALL, server::counters, seen -> seen.duplicatesRefused() > 0);
        topology("stop-second-relay");
        // the first session carries on
        assertTrue(netfilter(session, listener).contains("<table>pcp-controller</table>"));
        assertFalse(listener.down.isDone());
        assertEquals(1, server.counters().sessions());
    }

    @Test
    @Order(5)
    void aSessionThatDiedUnnoticedIsReplacedWhenTheGatewayCallsAgain() throws Exception {
        final var before = server.counters().deadReplaced();
        topology("blackhole", Integer.toString(LISTEN.getPort()));
        // the relay dials again; the silent session gets no answer to the probe and is closed: its owner hears it
        final var why = listener.down.get(CALL.toSeconds(), TimeUnit.SECONDS);
        LOG.info("the old session ended: {}", why);
        assertEquals(before + 1, server.counters().deadReplaced());
        // the owner asks again and gets the newcomer that was held for it
        listener = new Listener();
        session = nextSession(listener);
        assertTrue(netfilter(session, listener).contains("<table>pcp-controller</table>"));
        assertEquals(2, server.counters().sessions());
    }

    @Test
    @Order(6)
    void wrongCredentialsReachTheWaitingRendererAsTheReason() throws Exception {
        session.close();
        gateway.close();
        gateway = register("home-1", hostKey, new SshCredentials.Password("pcpchome", "not-" + password));
        final var failed = server.counters().failed();
        final var failure = assertThrows(ExecutionException.class, () -> nextSession(new Listener()));
        assertInstanceOf(IOException.class, failure.getCause());
        assertEquals("SSH authentication as pcpchome failed, or the connection closed before it",
            failure.getCause().getMessage());
        assertTrue(server.counters().failed() > failed);
        assertTrue(gatewayLog("sshd.log").contains("Failed password for pcpchome"));
    }

    @Test
    @Order(7)
    void publicKeyAuthenticationWorksToo() throws Exception {
        gateway.close();
        gateway = register("home-1", hostKey, new SshCredentials.PublicKeys("pcpchome",
            List.of(clientKey(dir.resolve("client_key")))));
        listener = new Listener();
        session = nextSession(listener);
        assertTrue(netfilter(session, listener).contains("<table>pcp-controller</table>"));
        assertTrue(gatewayLog("sshd.log").contains("Accepted publickey for pcpchome"));
    }

    @Test
    @Order(8)
    void theGatewayCallsBackAfterTheControllerRestarts() throws Exception {
        server.close();
        // the controller is gone: the session with it
        listener.down.get(CALL.toSeconds(), TimeUnit.SECONDS);
        server = new CallHomeServer(timer, LISTEN, 8);
        gateway = register("home-1", hostKey, new SshCredentials.Password("pcpchome", password));
        listener = new Listener();
        session = nextSession(listener);
        assertTrue(netfilter(session, listener).contains("<table>pcp-controller</table>"));
        assertEquals(1, server.counters().sessions());
    }
}
