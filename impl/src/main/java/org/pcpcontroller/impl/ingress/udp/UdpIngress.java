/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.udp;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.opendaylight.yangtools.concepts.Registration;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct UDP ingress: follows the gateways' {@code udp-ingress} configuration and keeps one
 * {@link UdpListener} per configured address and port, serving the gateway that claims it. An address and port
 * claimed by two gateways serves the one that had it first (else the first by id); the other is logged.
 */
@Component(service = { }, immediate = true, configurationPid = "org.pcpcontroller.ingress.udp")
@Designate(ocd = UdpIngress.Configuration.class)
public final class UdpIngress implements AutoCloseable {
    /**
     * Configuration of the UDP ingress.
     */
    @ObjectClassDefinition(name = "PCP Controller UDP ingress")
    public @interface Configuration {
        @AttributeDefinition(description = "Whether the UDP ingress listens at all")
        boolean enabled() default true;

        @AttributeDefinition(description = "Event loop threads; 0 for the number of processors")
        int threads() default 0;

        @AttributeDefinition(description = "Requests per second one client address may send on average")
        double clientRate() default 200;

        @AttributeDefinition(description = "Requests one client address may send in a burst")
        double clientBurst() default 400;

        @AttributeDefinition(description = "Socket receive buffer in bytes")
        int receiveBuffer() default 4 * 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(UdpIngress.class);

    private final RequestEngine engine;
    private final Configuration configuration;
    private final boolean epoll;
    private final int threads;
    private final EventLoopGroup group;
    private final ClientRateLimiter limiter;
    private final UdpListener.Counters counters = new UdpListener.Counters();
    // Configuration changes are applied in order on one thread: binding may block briefly.
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(new ThreadFactoryBuilder()
        .setNameFormat("pcp-udp-config").setDaemon(true).build());
    /** Per gateway, the addresses it asks for; only touched on the reconciler. */
    private final TreeMap<String, List<InetSocketAddress>> wanted = new TreeMap<>();
    /** The listeners, by address; only touched on the reconciler. */
    private final HashMap<InetSocketAddress, UdpListener> listeners = new HashMap<>();
    private final Registration registration;

    @Activate
    public UdpIngress(@Reference final GatewayRegistry registry, @Reference final RequestEngine engine,
            final Configuration configuration) {
        this.engine = requireNonNull(engine);
        this.configuration = requireNonNull(configuration);
        limiter = new ClientRateLimiter(configuration.clientRate(), configuration.clientBurst());
        epoll = Epoll.isAvailable();
        threads = configuration.threads() > 0 ? configuration.threads() : Runtime.getRuntime().availableProcessors();
        group = new MultiThreadIoEventLoopGroup(threads, new ThreadFactoryBuilder()
            .setNameFormat("pcp-udp-%d").setDaemon(true).build(),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        if (!configuration.enabled()) {
            LOG.info("UDP ingress disabled by configuration");
            registration = () -> { };
            return;
        }
        registration = registry.subscribe(this::onViews);
        LOG.info("UDP ingress started ({}, {} threads, {} requests/s per client, burst {})",
            epoll ? "epoll" : "nio", threads, configuration.clientRate(), configuration.clientBurst());
    }

    // On the registry's view thread: only the udp-ingress section matters here.
    private void onViews(final List<GatewayRegistry.ViewChange> changes) {
        final var updates = new LinkedHashMap<String, List<InetSocketAddress>>();
        for (var change : changes) {
            if (change.changed(GatewayView::udpListen)) {
                final var after = change.after();
                updates.put(change.gatewayId(), after == null ? List.of() : after.udpListen());
            }
        }
        if (!updates.isEmpty()) {
            reconciler.execute(() -> apply(updates));
        }
    }

    // On the reconciler.
    private void apply(final Map<String, List<InetSocketAddress>> updates) {
        updates.forEach((gateway, addresses) -> {
            if (addresses.isEmpty()) {
                wanted.remove(gateway);
            } else {
                wanted.put(gateway, addresses);
            }
        });
        // Who should serve each address: the current holder if it still wants it, else the first gateway by id.
        final var owners = new HashMap<InetSocketAddress, String>();
        listeners.forEach((address, listener) -> {
            if (wanted.getOrDefault(listener.gateway(), List.of()).contains(address)) {
                owners.put(address, listener.gateway());
            }
        });
        wanted.forEach((gateway, addresses) -> {
            for (var address : addresses) {
                final var owner = owners.putIfAbsent(address, gateway);
                if (owner != null && !owner.equals(gateway)) {
                    LOG.warn("UDP {} is claimed by gateway {} and gateway {}; it serves {}", address, owner,
                        gateway, owner);
                }
            }
        });
        listeners.entrySet().removeIf(entry -> {
            if (!Objects.equals(owners.get(entry.getKey()), entry.getValue().gateway())) {
                entry.getValue().close();
                return true;
            }
            return false;
        });
        owners.forEach((address, gateway) -> {
            if (!listeners.containsKey(address)) {
                try {
                    listeners.put(address, UdpListener.bind(gateway, address, group, epoll, threads,
                        configuration.receiveBuffer(), engine, limiter, counters));
                } catch (IllegalStateException e) {
                    LOG.warn("Gateway {} is not served on UDP {}", gateway, address, e);
                }
            }
        });
    }

    @Override
    @Deactivate
    public void close() {
        registration.close();
        reconciler.execute(() -> {
            listeners.values().forEach(UdpListener::close);
            listeners.clear();
        });
        reconciler.shutdown();
        try {
            reconciler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        LOG.info("UDP ingress stopped: {} datagrams received, {} answered, {} over the client rate, {} failed",
            counters.received().sum(), counters.answered().sum(), counters.limited().sum(), counters.failed().sum());
    }
}
