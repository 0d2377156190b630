/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Switches;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.Endpoint;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.EndpointBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.Switch;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.SwitchBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.SwitchKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.StateWrites;
import org.pcpcontroller.impl.store.BindingMappings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow endpoint: listens for switches on a management address (loopback by default; optionally TLS, where a
 * gateway's {@code openflow/certificate-sha256} binds its datapaths to the switches' certificates), and offers the
 * connected switches to the stages as {@link OpenFlowSwitches}. It publishes them in {@code pcp-gateway:switches}.
 * A configuration change applies in place: a new address, port or TLS setting rebinds the listening socket and keeps
 * every switch connected; new timings apply to live connections at their next tick. Disabled, it builds nothing
 * but the (empty) switch registry the stages subscribe to.
 *
 * <p>A socket it cannot open (a port that openflowplugin holds, typically) does not stop the component: it logs why and
 * what to change, says so in {@code pcp-gateway:switches/endpoint}, and tries again at the next configuration change.
 */
@Component(service = OpenFlowSwitches.class, immediate = true, configurationPid = OpenFlowEndpoint.PID)
@Designate(ocd = OpenFlowEndpoint.Configuration.class)
public final class OpenFlowEndpoint implements OpenFlowSwitches, SwitchHub.StateSink, AutoCloseable {
    /**
     * Configuration of the OpenFlow endpoint.
     */
    @ObjectClassDefinition(name = "PCP Controller OpenFlow endpoint")
    public @interface Configuration {
        @AttributeDefinition(description = "Whether the OpenFlow endpoint listens at all")
        boolean enabled() default true;

        @AttributeDefinition(description = "Management address to listen on; 0.0.0.0 or :: for every address")
        String address() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port to listen on. Not IANA's 6653, nor the legacy 6633: "
            + "openflowplugin takes both in every stock OpenDaylight")
        int port() default 6654;

        @AttributeDefinition(description = "Event loop threads; 0 for the number of processors. Read when the "
            + "endpoint starts listening: a change needs a restart of the bundle")
        int threads() default 0;

        @AttributeDefinition(description = "Seconds of silence after which an ECHO_REQUEST is sent")
        int echoInterval() default 5;

        @AttributeDefinition(description = "Seconds of silence after which a switch is considered dead")
        int deadPeerTimeout() default 15;

        @AttributeDefinition(description = "Seconds a BARRIER or multipart request waits for the switch's answer")
        int requestTimeout() default 30;

        @AttributeDefinition(description = "TLS: path of the controller's PEM certificate chain; empty for plain TCP")
        String tlsCertificate() default "";

        @AttributeDefinition(description = "TLS: path of the controller's PEM PKCS#8 private key")
        String tlsPrivateKey() default "";

        @AttributeDefinition(description = "TLS: path of the PEM CA certificates that switch certificates must chain "
            + "to; empty accepts any switch certificate, which a gateway's certificate-sha256 then pins")
        String tlsTrustedCertificates() default "";
    }

    /** Where and how the endpoint listens. */
    private record Listen(InetSocketAddress address, String certificate, String privateKey, String trusted) {
    }

    /** The configuration PID, which the log names when the operator has to change it. */
    static final String PID = "org.pcpcontroller.openflow";

    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowEndpoint.class);
    private static final DataObjectIdentifier<Switches> SWITCHES = DataObjectIdentifier.builder(Switches.class).build();
    private static final DataObjectIdentifier<Endpoint> ENDPOINT = DataObjectIdentifier.builder(Switches.class)
        .child(Endpoint.class).build();
    /** Counters are republished this often. */
    private static final long PUBLISH_SECONDS = 5;
    /** The handshake is ours to bound: a peer that connects and says nothing holds a socket only this long. */
    private static final long HANDSHAKE_SECONDS = 10;
    /**
     * What may wait in one connection's outbound buffer before it stops being writable (and PACKET_OUTs are dropped
     * rather than queued for a switch that does not read).
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final DataBroker dataBroker;
    private final GatewayRegistry registry;
    private final SwitchHub hub;
    // written under this object's lock; read by the event loops without it, so that they never wait for it
    private volatile @Nullable Running running;

    /** What only exists while enabled. */
    private final class Running {
        final EventLoopGroup group;
        final boolean epoll;
        final int threads;
        final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("pcp-openflow-state").setDaemon(true).build());
        final Registration views;
        @Nullable Channel server;
        @Nullable Listen listen;

        Running(final int configuredThreads) {
            epoll = Epoll.isAvailable();
            threads = configuredThreads > 0 ? configuredThreads : Runtime.getRuntime().availableProcessors();
            group = new MultiThreadIoEventLoopGroup(threads, new ThreadFactoryBuilder()
                .setNameFormat("pcp-openflow-%d").setDaemon(true).build(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            hub.resetClaims();
            views = registry.subscribe(hub::viewsChanged);
            housekeeping.scheduleWithFixedDelay(this::publishCounters, PUBLISH_SECONDS, PUBLISH_SECONDS,
                TimeUnit.SECONDS);
        }

        void listen(final Listen wanted) {
            if (wanted.equals(listen) && server != null) {
                return;
            }
            final var ssl = sslContext(wanted);
            final var previous = server;
            if (previous != null) {
                // the listening socket only: the switches connected through it stay connected
                previous.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                server = null;
            }
            listen = wanted;
            final var outcome = bind(wanted.address(), ssl);
            final var where = hostAndPort(wanted.address());
            switch (outcome) {
                case BindOutcome.Listening listening -> {
                    server = listening.server();
                    LOG.info("OpenFlow endpoint listening on {}{} ({}, {} threads)", where,
                        ssl != null ? " with TLS" : "", epoll ? "epoll" : "nio", threads);
                }
                case BindOutcome.PortInUse() -> LOG.error("OpenFlow endpoint cannot listen on {}: the port is in "
                    + "use by another program (openflowplugin listens on 6653 and 6633 by default); no switch can "
                    + "connect until port (or address) of PID {} is set to a free one", where, PID);
                case BindOutcome.Failed(var reason) -> LOG.error("OpenFlow endpoint cannot listen on {}: {}; no switch "
                    + "can connect until address or port of PID {} is changed", where, reason, PID);
            }
            final var tx = dataBroker.newWriteOnlyTransaction();
            tx.put(LogicalDatastoreType.OPERATIONAL, ENDPOINT, endpointState(wanted.address(), ssl != null, outcome));
            StateWrites.logFailure(tx.commit(), LOG, "record the endpoint's state");
        }

        /**
         * Opens the listening socket. Its failure is an outcome, not an exception: the component stays up, so that the
         * operator can read why and a configuration change can try again.
         */
        private BindOutcome bind(final InetSocketAddress address, final @Nullable SslContext ssl) {
            if (address.isUnresolved()) {
                return new BindOutcome.Failed("cannot resolve " + address.getHostString());
            }
            // awaited, not sync(): sync() rethrows a failed bind's cause (a checked BindException, or epoll's
            // NativeIoException) undeclared, past a catch of Netty's own exceptions and out of DS activation
            final var bound = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                            .addLast(new OpenFlowCodec.Decoder())
                            .addLast(new OpenFlowCodec.Encoder())
                            .addLast(hub.newConnection());
                    }
                })
                .bind(address).awaitUninterruptibly();
            return bound.isSuccess() ? new BindOutcome.Listening(bound.channel()) : BindOutcome.failed(bound.cause());
        }

        void publishCounters() {
            hub.connections().forEach(OpenFlowEndpoint.this::changed);
        }

        void close() {
            views.close();
            final var current = server;
            if (current != null) {
                current.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            hub.closeAll();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            housekeeping.shutdownNow();
        }
    }

    @Activate
    public OpenFlowEndpoint(@Reference final DataBroker dataBroker, @Reference final GatewayRegistry registry,
            final Configuration configuration) {
        this.dataBroker = requireNonNull(dataBroker);
        this.registry = requireNonNull(registry);
        hub = new SwitchHub(settings(configuration), System::nanoTime);
        hub.setState(this);
        apply(configuration);
    }

    /**
     * A configuration change, applied in place.
     */
    @Modified
    public synchronized void modified(final Configuration configuration) {
        apply(configuration);
    }

    private synchronized void apply(final Configuration configuration) {
        hub.setSettings(settings(configuration));
        if (!configuration.enabled()) {
            stop(new EndpointBuilder().setStatus(Endpoint.Status.NotListening).setDetail("disabled by configuration")
                .build());
            LOG.info("OpenFlow endpoint disabled by configuration");
            return;
        }
        var current = running;
        if (current == null) {
            current = new Running(configuration.threads());
            running = current;
        } else if (current.threads != (configuration.threads() > 0 ? configuration.threads()
                : Runtime.getRuntime().availableProcessors())) {
            LOG.warn("OpenFlow endpoint: threads={} takes effect when the bundle restarts; the switches stay "
                + "connected on the {} threads they have", configuration.threads(), current.threads);
        }
        current.listen(new Listen(new InetSocketAddress(configuration.address(), configuration.port()),
            configuration.tlsCertificate(), configuration.tlsPrivateKey(), configuration.tlsTrustedCertificates()));
    }

    /**
     * Stops listening and closes every connection; the switches leave the datastore with them, and the endpoint's
     * entry is replaced by what is given (removed, when nothing is), in the same transaction so that no reader sees the
     * one without the other.
     */
    private void stop(final @Nullable Endpoint after) {
        final var current = running;
        if (current != null) {
            current.close();
            running = null;
        }
        final var tx = dataBroker.newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.OPERATIONAL, SWITCHES);
        if (after != null) {
            tx.put(LogicalDatastoreType.OPERATIONAL, ENDPOINT, after);
        }
        StateWrites.logFailure(tx.commit(), LOG, "record the switches' removal");
    }

    private static Endpoint endpointState(final InetSocketAddress address, final boolean tls,
            final BindOutcome outcome) {
        return switch (outcome) {
            // the socket's own address once bound: port 0 asks for an ephemeral port
            case BindOutcome.Listening(var server) -> endpointAt(
                    server.localAddress() instanceof InetSocketAddress bound ? bound : address, tls)
                .setStatus(Endpoint.Status.Listening).build();
            case BindOutcome.PortInUse() -> endpointAt(address, tls).setStatus(Endpoint.Status.NotListening)
                .setDetail("address already in use").build();
            case BindOutcome.Failed(var reason) -> endpointAt(address, tls).setStatus(Endpoint.Status.NotListening)
                .setDetail(reason).build();
        };
    }

    private static EndpointBuilder endpointAt(final InetSocketAddress address, final boolean tls) {
        final var builder = new EndpointBuilder().setTls(tls)
            .setPort(new PortNumber(Uint16.valueOf(address.getPort())));
        if (!address.isUnresolved()) {
            builder.setAddress(IetfInetUtil.ipAddressFor(address.getAddress()));
        }
        return builder;
    }

    /** As an operator writes it: {@code 127.0.0.1:6654}, {@code [::]:6654}. */
    private static String hostAndPort(final InetSocketAddress address) {
        final var host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static Connection.Settings settings(final Configuration configuration) {
        return new Connection.Settings(TimeUnit.SECONDS.toNanos(Math.max(1, configuration.echoInterval())),
            TimeUnit.SECONDS.toNanos(Math.max(1, configuration.deadPeerTimeout())),
            TimeUnit.SECONDS.toNanos(HANDSHAKE_SECONDS),
            TimeUnit.SECONDS.toNanos(Math.max(1, configuration.requestTimeout())));
    }

    private static @Nullable SslContext sslContext(final Listen listen) {
        if (listen.certificate().isEmpty()) {
            return null;
        }
        try (var certificate = Files.newInputStream(Path.of(listen.certificate()));
             var key = Files.newInputStream(Path.of(listen.privateKey()))) {
            final var builder = SslContextBuilder.forServer(certificate, key);
            if (listen.trusted().isEmpty()) {
                // Any certificate is taken at the TLS layer (which still proves the switch holds its private key);
                // a gateway's certificate-sha256 decides which certificate may claim its datapaths.
                return builder.trustManager(InsecureTrustManagerFactory.INSTANCE).clientAuth(ClientAuth.OPTIONAL)
                    .build();
            }
            try (var trusted = Files.newInputStream(Path.of(listen.trusted()))) {
                return builder.trustManager(trusted).clientAuth(ClientAuth.REQUIRE).build();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("OpenFlow TLS settings are unusable", e);
        }
    }

    @Override
    public Registration subscribe(final SwitchListener listener) {
        return hub.subscribe(listener);
    }

    @Override
    public List<SwitchConnection> switchesOf(final String gateway) {
        return hub.switchesOf(gateway);
    }

    // --- pcp-gateway:switches -----------------------------------------------------------------------------------

    @Override
    public void changed(final Connection connection) {
        final var datapath = connection.datapathId().toString();
        final var remote = connection.remoteAddress();
        final var binding = connection.binding();
        final var counters = connection.counters();
        final var builder = new SwitchBuilder()
            .setDatapathId(new DatapathId(datapath))
            .setGateway(binding == null ? null : new GatewayId(binding.gateway()))
            .setOpenflowVersion(versionName(connection.factory().getVersion().getWireVersion()))
            .setConnectedSince(BindingMappings.dateAndTime(connection.connectedSince()))
            .setCertificateSha256(connection.peerCertificateSha256())
            .setPacketIn(counter(counters.packetIn()))
            .setPacketOut(counter(counters.packetOut()))
            .setFlowMods(counter(counters.flowMods()))
            .setErrors(counter(counters.errors()))
            .setRefusedClaims(counter(counters.refusedClaims()));
        if (remote != null) {
            builder.setAddress(IetfInetUtil.ipAddressFor(remote.getAddress()))
                .setPort(new PortNumber(Uint16.valueOf(remote.getPort())));
        }
        final var data = builder.build();
        onHousekeeping(() -> {
            // only while it is the datapath's connection, so that a late update cannot resurrect a closed switch
            if (hub.connections().contains(connection) && connection.isConnected()) {
                final var tx = dataBroker.newWriteOnlyTransaction();
                tx.put(LogicalDatastoreType.OPERATIONAL, switchPath(datapath), data);
                StateWrites.logFailure(tx.commit(), LOG, "record a switch's state");
            }
        });
    }

    @Override
    public void gone(final Connection connection) {
        final var datapath = connection.datapathId().toString();
        onHousekeeping(() -> {
            if (hub.connections().stream().noneMatch(other -> other.datapathId().toString().equals(datapath))) {
                final var tx = dataBroker.newWriteOnlyTransaction();
                tx.delete(LogicalDatastoreType.OPERATIONAL, switchPath(datapath));
                StateWrites.logFailure(tx.commit(), LOG, "record a disconnected switch");
            }
        });
    }

    private void onHousekeeping(final Runnable task) {
        final var current = running;
        if (current != null) {
            try {
                current.housekeeping.execute(task);
            } catch (RejectedExecutionException e) {
                // stopping: the switches are removed from the datastore as a whole
                LOG.debug("Endpoint stopping; state update dropped", e);
            }
        }
    }

    private static Counter64 counter(final long value) {
        return new Counter64(Uint64.valueOf(value));
    }

    private static String versionName(final int wire) {
        // wire version 4 is 1.3, 5 is 1.4, 6 is 1.5
        return "1." + (wire - 1);
    }

    private static DataObjectIdentifier<Switch> switchPath(final String datapath) {
        return DataObjectIdentifier.builder(Switches.class)
            .child(Switch.class, new SwitchKey(new DatapathId(datapath)))
            .build();
    }

    @Override
    @Deactivate
    public synchronized void close() {
        stop(null);
        LOG.info("OpenFlow endpoint stopped");
    }
}
