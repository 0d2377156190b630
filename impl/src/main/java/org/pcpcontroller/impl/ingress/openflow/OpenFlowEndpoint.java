/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
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
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.Switch;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.SwitchBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.switches.SwitchKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingFeed;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow endpoint: listens for switches (TCP 6653 by default, optionally TLS), binds each to the gateway
 * whose {@code openflow/datapath-id} names it, and keeps the connected switches in the operational datastore
 * ({@code pcp-gateway:switches}). A switch no gateway claims stays connected and visible, but is not served.
 */
@Component(service = { }, immediate = true, configurationPid = "org.pcpcontroller.openflow")
@Designate(ocd = OpenFlowEndpoint.Configuration.class)
public final class OpenFlowEndpoint implements SwitchSession.Listener, AutoCloseable {
    /**
     * Configuration of the OpenFlow endpoint.
     */
    @ObjectClassDefinition(name = "PCP Controller OpenFlow endpoint")
    public @interface Configuration {
        @AttributeDefinition(description = "Whether the OpenFlow endpoint listens at all")
        boolean enabled() default true;

        @AttributeDefinition(description = "Address to listen on")
        String address() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port to listen on (IANA: 6653)")
        int port() default 6653;

        @AttributeDefinition(description = "Event loop threads; 0 for the number of processors")
        int threads() default 0;

        @AttributeDefinition(description = "Seconds of silence after which an ECHO_REQUEST is sent")
        int echoInterval() default 5;

        @AttributeDefinition(description = "Seconds of silence after which a switch is considered dead")
        int deadPeerTimeout() default 15;

        @AttributeDefinition(description = "OpenFlow priority of the punt flows (above the switch's own forwarding)")
        int puntPriority() default 60000;

        @AttributeDefinition(description = "Meter id used for the punt flows; 0 disables the meter")
        long puntMeterId() default 1;

        @AttributeDefinition(description = "Requests per second one client address may send on average")
        double clientRate() default 200;

        @AttributeDefinition(description = "Requests one client address may send in a burst")
        double clientBurst() default 400;

        @AttributeDefinition(description = "TLS: PEM certificate chain of the controller; empty for plain TCP")
        String tlsCertificate() default "";

        @AttributeDefinition(description = "TLS: PEM PKCS#8 private key of the controller")
        String tlsPrivateKey() default "";

        @AttributeDefinition(description = "TLS: PEM certificates that switch certificates must chain to; "
            + "empty accepts switches without a client certificate")
        String tlsTrustedCertificates() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowEndpoint.class);

    private final DataBroker dataBroker;
    private final RequestEngine engine;
    private final EventLoopGroup group;
    private final @Nullable Channel server;
    private final Registration gatewayRegistration;
    private final @Nullable GatewayListener gatewayListener;
    private final DscpRenderer renderer;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-openflow-state").setDaemon(true).build());
    /** Datapath id (YANG form) to what its gateway asks of it. */
    private final ConcurrentHashMap<String, SwitchSession.Binding> bindings = new ConcurrentHashMap<>();
    /** Connected switches by datapath id (YANG form). */
    private final ConcurrentHashMap<String, SwitchSession> sessions = new ConcurrentHashMap<>();

    @Activate
    public OpenFlowEndpoint(@Reference final DataBroker dataBroker, @Reference final MappingFeed feed,
            @Reference final GatewayRegistry registry, @Reference final RequestEngine engine,
            final Configuration configuration) {
        this.dataBroker = requireNonNull(dataBroker);
        this.engine = requireNonNull(engine);
        final boolean epoll = Epoll.isAvailable();
        final int threads = configuration.threads() > 0 ? configuration.threads()
            : Runtime.getRuntime().availableProcessors();
        group = new MultiThreadIoEventLoopGroup(threads, new ThreadFactoryBuilder()
            .setNameFormat("pcp-openflow-%d").setDaemon(true).build(),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        renderer = new DscpRenderer(dataBroker, feed, this::sessionsOf);
        if (!configuration.enabled()) {
            LOG.info("OpenFlow endpoint disabled by configuration");
            server = null;
            gatewayListener = null;
            gatewayRegistration = () -> { };
            return;
        }
        final var limiter = new ClientRateLimiter(configuration.clientRate(), configuration.clientBurst());
        final var settings = new SwitchSession.Settings(TimeUnit.SECONDS.toMillis(configuration.echoInterval()),
            TimeUnit.SECONDS.toMillis(configuration.deadPeerTimeout()), 10_000, configuration.puntPriority(),
            configuration.puntMeterId());
        final var ssl = sslContext(configuration);
        final var endpoint = new InetSocketAddress(configuration.address(), configuration.port());
        Channel bound = null;
        try {
            bound = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                            .addLast(new IdleStateHandler(configuration.echoInterval(), 0, 0, TimeUnit.SECONDS))
                            .addLast(new OpenFlowCodec.Decoder())
                            .addLast(new OpenFlowCodec.Encoder())
                            .addLast(new SwitchSession(OpenFlowEndpoint.this, engine, limiter, settings));
                    }
                })
                .bind(endpoint).sync().channel();
            LOG.info("OpenFlow endpoint listening on {}{} ({}, {} threads)", endpoint, ssl != null ? " with TLS" : "",
                epoll ? "epoll" : "nio", threads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (io.netty.channel.ChannelException e) {
            LOG.error("OpenFlow endpoint cannot listen on {}; no switch can connect", endpoint, e);
        }
        server = bound;
        gatewayListener = new GatewayListener();
        gatewayRegistration = registry.subscribe(gatewayListener);
        housekeeping.scheduleWithFixedDelay(this::publishCounters, 5, 5, TimeUnit.SECONDS);
    }

    private static @Nullable SslContext sslContext(final Configuration configuration) {
        if (configuration.tlsCertificate().isEmpty()) {
            return null;
        }
        try (var certificate = Files.newInputStream(Path.of(configuration.tlsCertificate()));
             var key = Files.newInputStream(Path.of(configuration.tlsPrivateKey()))) {
            final var builder = SslContextBuilder.forServer(certificate, key);
            if (!configuration.tlsTrustedCertificates().isEmpty()) {
                try (var trusted = Files.newInputStream(Path.of(configuration.tlsTrustedCertificates()))) {
                    builder.trustManager(trusted).clientAuth(ClientAuth.REQUIRE);
                    return builder.build();
                }
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("OpenFlow TLS settings are unusable", e);
        }
    }

    /** Follows which gateway claims which datapath; on the registry's view thread. */
    private final class GatewayListener implements GatewayRegistry.ViewListener {
        private final Map<String, List<String>> claims = new HashMap<>();
        private final Map<String, Registration> announcers = new HashMap<>();

        @Override
        public void viewsChanged(final List<GatewayRegistry.ViewChange> changes) {
            for (var change : changes) {
                final var id = change.gatewayId();
                final var after = change.after();
                if (change.changed(GatewayView::openflow)) {
                    claims.getOrDefault(id, List.of()).forEach(datapath -> bindings.computeIfPresent(datapath,
                        (key, binding) -> binding.gateway().equals(id) ? null : binding));
                    claims.remove(id);
                    final var announcer = announcers.remove(id);
                    if (announcer != null) {
                        announcer.close();
                    }
                    if (after != null) {
                        final var openflow = after.openflow();
                        for (var datapath : openflow.datapathIds()) {
                            final var previous = bindings.putIfAbsent(datapath, new SwitchSession.Binding(id,
                                openflow.puntMeterRate(), openflow.lanPorts()));
                            if (previous != null) {
                                LOG.warn("Datapath {} is claimed by gateway {} and gateway {}; it serves {}",
                                    datapath, previous.gateway(), id, previous.gateway());
                            }
                        }
                        claims.put(id, openflow.datapathIds());
                        if (!openflow.datapathIds().isEmpty()) {
                            // the engine's announcements for this gateway also leave through its switches
                            announcers.put(id, engine.registerAnnouncer(id,
                                announcement -> sessionsOf(id).forEach(session -> session.announce(announcement))));
                        }
                    }
                }
                renderer.gatewayChanged(id, after);
            }
            sessions.values().forEach(OpenFlowEndpoint.this::rebind);
        }
    }

    private void rebind(final SwitchSession session) {
        final var datapath = requireNonNull(session.datapathId()).toString();
        final var wanted = bindings.get(datapath);
        final var current = session.binding();
        if (Objects.equals(wanted, current)) {
            return;
        }
        if (wanted == null) {
            LOG.warn("OpenFlow switch {} belongs to no gateway: connected, not served", datapath);
            session.unserve();
        } else {
            session.serve(wanted);
        }
        writeSwitch(session);
    }

    List<SwitchSession> sessionsOf(final String gateway) {
        return sessions.values().stream()
            .filter(session -> session.binding() != null && gateway.equals(session.binding().gateway()))
            .toList();
    }

    @Override
    public void handshaken(final SwitchSession session) {
        final var datapath = requireNonNull(session.datapathId()).toString();
        final var previous = sessions.put(datapath, session);
        if (previous != null && previous != session) {
            LOG.info("OpenFlow switch {} reconnected; closing its previous connection", datapath);
            previous.close();
        }
        rebind(session);
        writeSwitch(session);
    }

    @Override
    public void serving(final SwitchSession session) {
        writeSwitch(session);
        renderer.switchReady(session);
    }

    @Override
    public void flowRemoved(final SwitchSession session, final OFFlowRemoved removed) {
        renderer.flowRemoved(session, removed);
    }

    @Override
    public void closed(final SwitchSession session) {
        final var datapath = requireNonNull(session.datapathId()).toString();
        if (sessions.remove(datapath, session)) {
            housekeeping.execute(() -> {
                if (!sessions.containsKey(datapath)) {
                    final var tx = dataBroker.newWriteOnlyTransaction();
                    tx.delete(LogicalDatastoreType.OPERATIONAL, switchPath(datapath));
                    DscpRenderer.commit(tx, "a disconnected switch");
                }
            });
        }
    }

    private void writeSwitch(final SwitchSession session) {
        final var datapath = requireNonNull(session.datapathId()).toString();
        final var remote = session.remoteAddress();
        final var binding = session.binding();
        final var factory = session.factory();
        final var builder = new SwitchBuilder()
            .setDatapathId(new DatapathId(datapath))
            .setGateway(binding == null ? null : new GatewayId(binding.gateway()))
            .setOpenflowVersion(factory == null ? null : versionName(factory.getVersion().getWireVersion()))
            .setConnectedSince(BindingMappings.dateAndTime(session.connectedSince()))
            .setPacketIn(new Counter64(Uint64.valueOf(session.packetIn())))
            .setPacketOut(new Counter64(Uint64.valueOf(session.packetOut())))
            .setFlowMods(new Counter64(Uint64.valueOf(session.flowMods())))
            .setErrors(new Counter64(Uint64.valueOf(session.errors())));
        if (remote != null) {
            builder.setAddress(IetfInetUtil.ipAddressFor(remote.getAddress()))
                .setPort(new PortNumber(org.opendaylight.yangtools.yang.common.Uint16.valueOf(remote.getPort())));
        }
        final var data = builder.build();
        // on one thread, and only while connected, so that a late update cannot resurrect a closed switch
        housekeeping.execute(() -> {
            if (sessions.get(datapath) == session) {
                final var tx = dataBroker.newWriteOnlyTransaction();
                tx.put(LogicalDatastoreType.OPERATIONAL, switchPath(datapath), data);
                DscpRenderer.commit(tx, "a switch's state");
            }
        });
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

    private void publishCounters() {
        sessions.values().forEach(this::writeSwitch);
    }

    @Override
    @Deactivate
    public void close() {
        gatewayRegistration.close();
        if (gatewayListener != null) {
            gatewayListener.announcers.values().forEach(Registration::close);
        }
        renderer.close();
        housekeeping.shutdownNow();
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        sessions.values().forEach(SwitchSession::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        final var tx = dataBroker.newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(Switches.class).build());
        DscpRenderer.commit(tx, "the switches' removal");
        LOG.info("OpenFlow endpoint stopped");
    }
}
