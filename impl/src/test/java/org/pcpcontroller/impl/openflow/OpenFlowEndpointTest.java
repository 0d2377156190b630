/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4Address;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Switches;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.Endpoint;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.U32;

/**
 * The endpoint on real sockets (issue 13 #3): it listens on its management address only, and over TLS a datapath
 * pinned to a certificate goes only to a switch that presents that certificate. Next to openflowplugin (issue 17): its
 * default port is not openflowplugin's, and a port another program holds leaves it up, not listening, saying so in
 * {@code switches/endpoint}, until a configuration change finds the port free. Certificates are made by the JDK's
 * keytool, so that no test dependency is needed for them.
 */
class OpenFlowEndpointTest extends AbstractDataBrokerTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final DatapathId DATAPATH = DatapathId.of(10);
    private static final String LOOPBACK = "127.0.0.1";
    /** Loopback too on Linux (127.0.0.0/8), but not the management address. */
    private static final String OTHER_LOOPBACK = "127.0.0.2";
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final DataObjectIdentifier<Endpoint> ENDPOINT = DataObjectIdentifier.builder(Switches.class)
        .child(Endpoint.class).build();
    /** Documentation only (RFC 5737): an address no host of a test run has. */
    private static final String NOT_LOCAL = "192.0.2.1";

    @TempDir
    static Path certificates;
    private static Credential controller;
    private static Credential pinned;
    private static Credential other;

    private final Registry registry = new Registry();
    private int port;
    private @Nullable OpenFlowEndpoint endpoint;

    /** A certificate, its key, and both as the PEM files the endpoint reads. */
    private record Credential(KeyStore store, X509Certificate certificate, Path certificatePem, Path keyPem) {
        /** As {@code openssl x509 -noout -fingerprint -sha256} prints it, in lower case as an operator may write it. */
        String sha256() throws Exception {
            return HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256")
                .digest(certificate.getEncoded()));
        }
    }

    /** The endpoint's configuration, as OSGi metatype would hand it over. */
    private record Settings(boolean enabled, String address, int port, String tlsCertificate, String tlsPrivateKey)
            implements OpenFlowEndpoint.Configuration {
        Settings(final String address, final int port, final String tlsCertificate, final String tlsPrivateKey) {
            this(true, address, port, tlsCertificate, tlsPrivateKey);
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return OpenFlowEndpoint.Configuration.class;
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public int echoInterval() {
            return 5;
        }

        @Override
        public int deadPeerTimeout() {
            return 15;
        }

        @Override
        public int requestTimeout() {
            return 30;
        }

        @Override
        public String tlsTrustedCertificates() {
            // any certificate at the TLS layer: the gateway's certificate-sha256 pins it
            return "";
        }
    }

    /** The gateways as the registry would tell them, all at subscription. */
    private static final class Registry implements GatewayRegistry {
        private volatile List<GatewayView> views = List.of();

        @Override
        public Registration subscribe(final ViewListener listener) {
            final var now = views;
            if (!now.isEmpty()) {
                listener.viewsChanged(now.stream().map(view -> new ViewChange(view.id(), null, view)).toList());
            }
            return () -> { };
        }

        @Override
        public Optional<GatewayView> lookup(final String gatewayId) {
            return views.stream().filter(view -> view.id().equals(gatewayId)).findFirst();
        }

        @Override
        public List<String> problems(final String gatewayId) {
            return List.of();
        }

        @Override
        public Optional<Instant> epochOrigin(final String gatewayId) {
            return Optional.empty();
        }

        @Override
        public Registration addEpochListener(final EpochListener listener) {
            return () -> { };
        }

        @Override
        public void publishNetconfState(final String gatewayId, final org.opendaylight.yang.gen.v1.urn.pcpcontroller
                .yang.pcp.gateway.rev261123.gateways.gateway.state.@Nullable Netconf state) {
            // no NETCONF here
        }

        @Override
        public void publishRenderSummary(final String gatewayId, final Renderer renderer,
                final @Nullable RenderSummary summary) {
            // no renderer here
        }
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        controller = credential("controller");
        pinned = credential("pinned-switch");
        other = credential("other-switch");
    }

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        port = freePort();
    }

    @AfterEach
    void afterEach() {
        final var current = endpoint;
        if (current != null) {
            current.close();
        }
    }

    private OpenFlowEndpoint start(final String address) {
        endpoint = new OpenFlowEndpoint(getDataBroker(), registry, new Settings(address, port, "", ""));
        return endpoint;
    }

    private OpenFlowEndpoint startTls() throws Exception {
        registry.views = List.of(OpenFlowGateways.claiming("gw", DATAPATH.toString(), pinned.sha256()));
        endpoint = new OpenFlowEndpoint(getDataBroker(), registry, new Settings(LOOPBACK, port,
            controller.certificatePem().toString(), controller.keyPem().toString()));
        return endpoint;
    }

    // --- the management address -----------------------------------------------------------------------------------

    @Test
    void theManagementAddressIsLoopbackUnlessConfigured() throws Exception {
        assertEquals(LOOPBACK, OpenFlowEndpoint.Configuration.class.getMethod("address").getDefaultValue());
    }

    @Test
    void theEndpointListensOnTheManagementAddressOnly() throws Exception {
        start(LOOPBACK);
        try (var accepted = connect(LOOPBACK)) {
            assertInstanceOf(OFHello.class, read(accepted));
        }
        assertThrows(ConnectException.class, () -> connect(OTHER_LOOPBACK).close());
    }

    @Test
    void aNewManagementAddressMovesTheListeningSocket() throws Exception {
        start(LOOPBACK).modified(new Settings(OTHER_LOOPBACK, port, "", ""));
        try (var accepted = connect(OTHER_LOOPBACK)) {
            assertInstanceOf(OFHello.class, read(accepted));
        }
        assertThrows(ConnectException.class, () -> connect(LOOPBACK).close());
    }

    // --- next to openflowplugin ----------------------------------------------------------------------------------

    @Test
    void theDefaultPortIsNoneThatAStockOpenDaylightOpens() throws Exception {
        final var configured = (Integer) OpenFlowEndpoint.Configuration.class.getMethod("port").getDefaultValue();
        // openflowplugin 6653 and 6633, OVSDB 6640, NETCONF call home 4334/4335, RESTCONF 8181/8182, Karaf shell 8101,
        // JMX 1099/44444, Pekko 2550
        assertFalse(Set.of(6653, 6633, 6640, 4334, 4335, 8181, 8182, 8101, 1099, 44444, 2550).contains(configured),
            () -> "default port " + configured);
        assertEquals(6654, configured);
    }

    @Test
    void aPortHeldByAnotherProgramLeavesTheEndpointUpAndNotListening() throws Exception {
        try (var openflowplugin = holdPort()) {
            start(LOOPBACK);
            final var state = awaitEndpoint(Endpoint.Status.NotListening);
            assertEquals("address already in use", state.getDetail());
            assertEquals(new IpAddress(new Ipv4Address(LOOPBACK)), state.getAddress());
            assertEquals(port, state.getPort().getValue().intValue());
            assertEquals(Boolean.FALSE, state.getTls());
        }
    }

    @Test
    void theSamePortOnceFreedIsTakenAtTheNextConfigurationChange() throws Exception {
        final OpenFlowEndpoint started;
        try (var openflowplugin = holdPort()) {
            started = start(LOOPBACK);
            awaitEndpoint(Endpoint.Status.NotListening);
        }
        started.modified(new Settings(LOOPBACK, port, "", ""));
        final var state = awaitEndpoint(Endpoint.Status.Listening);
        assertNull(state.getDetail());
        assertEquals(port, state.getPort().getValue().intValue());
        try (var accepted = connect(LOOPBACK)) {
            assertInstanceOf(OFHello.class, read(accepted));
        }
    }

    @Test
    void anotherPortIsTakenInPlaceWhileTheFirstStaysHeld() throws Exception {
        try (var openflowplugin = holdPort()) {
            final var started = start(LOOPBACK);
            awaitEndpoint(Endpoint.Status.NotListening);
            final int held = port;
            port = freePort();
            started.modified(new Settings(LOOPBACK, port, "", ""));
            final var state = awaitEndpoint(Endpoint.Status.Listening);
            assertEquals(port, state.getPort().getValue().intValue());
            assertNotEquals(held, port);
            try (var accepted = connect(LOOPBACK)) {
                assertInstanceOf(OFHello.class, read(accepted));
            }
        }
    }

    @Test
    void anAddressThisHostDoesNotHaveIsNotReportedAsAPortInUse() throws Exception {
        start(NOT_LOCAL);
        final var state = awaitEndpoint(Endpoint.Status.NotListening);
        // the system's words for EADDRNOTAVAIL, whichever transport, and not a port in use
        assertNotNull(state.getDetail());
        assertNotEquals("address already in use", state.getDetail());
        assertEquals(new IpAddress(new Ipv4Address(NOT_LOCAL)), state.getAddress());
    }

    @Test
    void aDisabledEndpointSaysSoAndStopsListening() throws Exception {
        start(LOOPBACK).modified(new Settings(false, LOOPBACK, port, "", ""));
        final var state = awaitEndpoint(Endpoint.Status.NotListening);
        assertEquals("disabled by configuration", state.getDetail());
        assertNull(state.getPort());
        assertThrows(ConnectException.class, () -> connect(LOOPBACK).close());
    }

    @Test
    void aStoppedEndpointLeavesNoState() throws Exception {
        final var started = start(LOOPBACK);
        awaitEndpoint(Endpoint.Status.Listening);
        started.close();
        endpoint = null;
        Await.until(this::endpointState, Optional::isEmpty);
    }

    // --- a datapath pinned to a certificate, over TLS -------------------------------------------------------------

    @Test
    void theStateSaysThatSwitchesConnectOverTls() throws Exception {
        startTls();
        assertEquals(Boolean.TRUE, awaitEndpoint(Endpoint.Status.Listening).getTls());
    }

    @Test
    void aSwitchWithThePinnedCertificateClaimsTheDatapath() throws Exception {
        final var started = startTls();
        try (var sw = tlsSwitch(pinned)) {
            handshake(sw);
            final var served = Await.until(() -> started.switchesOf("gw"), switches -> !switches.isEmpty());
            assertEquals(DATAPATH, served.getFirst().datapathId());
            assertTrue(served.getFirst().isConnected());
        }
    }

    @Test
    void aSwitchWithAnotherCertificateCannotClaimThePinnedDatapath() throws Exception {
        final var started = startTls();
        try (var sw = tlsSwitch(other)) {
            handshake(sw);
            assertClosedByTheController(sw);
        }
        assertTrue(started.switchesOf("gw").isEmpty());
    }

    @Test
    void aSwitchWithoutACertificateCannotClaimThePinnedDatapath() throws Exception {
        final var started = startTls();
        try (var sw = tlsSwitch(null)) {
            handshake(sw);
            assertClosedByTheController(sw);
        }
        assertTrue(started.switchesOf("gw").isEmpty());
    }

    // --- the endpoint's state, and another program on its port -----------------------------------------------------

    private Optional<Endpoint> endpointState() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, ENDPOINT).get(10, TimeUnit.SECONDS);
        }
    }

    private Endpoint awaitEndpoint(final Endpoint.Status status) throws Exception {
        return Await.until(this::endpointState, state -> state.isPresent() && state.orElseThrow().getStatus() == status)
            .orElseThrow();
    }

    /** Another listener on the endpoint's address and port, as openflowplugin is on 6653. */
    private ServerSocket holdPort() throws IOException {
        return new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK));
    }

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return probe.getLocalPort();
        }
    }

    // --- a switch on the other end --------------------------------------------------------------------------------

    private Socket connect(final String address) throws IOException {
        final var socket = new Socket();
        socket.connect(new InetSocketAddress(address, port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /**
     * A TLS connection that trusts the controller's certificate and presents the given one (none: no certificate).
     */
    private Socket tlsSwitch(final @Nullable Credential credential) throws Exception {
        final var trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("controller", controller.certificate());
        final var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManager[] keys = null;
        if (credential != null) {
            final var factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(credential.store(), PASSWORD);
            keys = factory.getKeyManagers();
        }
        final var context = SSLContext.getInstance("TLS");
        context.init(keys, trust.getTrustManagers(), null);
        final var socket = context.getSocketFactory().createSocket(LOOPBACK, port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** HELLO for OpenFlow 1.3, then FEATURES_REPLY claiming the datapath. */
    private static void handshake(final Socket socket) throws IOException {
        assertInstanceOf(OFHello.class, read(socket));
        write(socket, OF13.buildHello().setXid(1).setElements(List.of(OF13.helloElemVersionbitmap(
            List.of(U32.of(1 << OFVersion.OF_13.getWireVersion()))))).build());
        final var request = assertInstanceOf(OFFeaturesRequest.class, read(socket));
        write(socket, OF13.buildFeaturesReply().setXid(request.getXid()).setDatapathId(DATAPATH)
            .setNTables((short) 254).build());
    }

    private static OFMessage read(final Socket socket) throws IOException {
        // unbuffered, so that nothing is read beyond the message
        final var in = new DataInputStream(socket.getInputStream());
        final var header = new byte[OpenFlowCodec.HEADER_LENGTH];
        in.readFully(header);
        final int length = (header[2] & 0xFF) << 8 | header[3] & 0xFF;
        final var message = Arrays.copyOf(header, length);
        in.readFully(message, header.length, length - header.length);
        try {
            return OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(message));
        } catch (OFParseError e) {
            throw new AssertionError(e);
        }
    }

    private static void write(final Socket socket, final OFMessage message) throws IOException {
        final var buf = Unpooled.buffer();
        message.writeTo(buf);
        final var bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /**
     * The controller closes the connection: the switch reads the end of the stream (or a reset), within the read
     * timeout.
     */
    private static void assertClosedByTheController(final Socket socket) {
        try {
            assertEquals(-1, socket.getInputStream().read(), "the controller sent more instead of closing");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the controller kept the connection", e);
        } catch (IOException e) {
            // reset rather than closed: gone all the same
        }
    }

    // --- certificates ---------------------------------------------------------------------------------------------

    private static Credential credential(final String name) throws Exception {
        final var store = certificates.resolve(name + ".p12");
        final var keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
            "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
            "-storepass", String.valueOf(PASSWORD), "-keypass", String.valueOf(PASSWORD))
            .redirectErrorStream(true).start();
        final var output = new String(keytool.getInputStream().readAllBytes(), US_ASCII);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, keytool.exitValue(), output);

        final var keyStore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
        final var certificate = (X509Certificate) keyStore.getCertificate(name);
        final var key = (PrivateKey) keyStore.getKey(name, PASSWORD);
        final var certificatePem = Files.writeString(certificates.resolve(name + ".crt"),
            pem("CERTIFICATE", certificate.getEncoded()));
        // PKCS#8, as the endpoint's tlsPrivateKey wants it
        final var keyPem = Files.writeString(certificates.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        return new Credential(keyStore, certificate, certificatePem, keyPem);
    }

    private static String pem(final String type, final byte[] der) {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }
}
