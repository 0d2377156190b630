/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.opendaylight.yangtools.concepts.Registration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpRegistry;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind every ingress: holds each gateway's clients to the gateway's request rate, dispatches a datagram
 * by its version byte, answers what the codec refuses, hands requests to the PCP and NAT-PMP handlers with the
 * gateway's policy and epoch, and announces new epochs through the ingresses that serve the gateway.
 */
@Component(service = RequestEngine.class, configurationPid = "org.pcpcontroller.engine")
@Designate(ocd = PcpEngine.Configuration.class)
public final class PcpEngine implements RequestEngine, AutoCloseable {
    /**
     * Configuration of the engine.
     */
    @ObjectClassDefinition(name = "PCP Controller request engine")
    public @interface Configuration {
        @AttributeDefinition(description = "Most mappings the controller holds over every gateway; beyond it new "
            + "mappings are refused (PCP NO_RESOURCES, NAT-PMP OUT_OF_RESOURCES). 0 means no limit. The default, "
            + "at about 1.1 KiB of heap a mapping, fits a 4 GiB heap.")
        long maxMappings() default DEFAULT_MAX_MAPPINGS;
    }

    /** The default of {@link Configuration#maxMappings()}. */
    public static final long DEFAULT_MAX_MAPPINGS = 2_000_000;
    private static final Logger LOG = LoggerFactory.getLogger(PcpEngine.class);
    /**
     * RFC 6886 section 3.2.1 (and RFC 6887 section 14.1.3, which follows it): up to ten announcements, the first
     * two 250 ms apart, the interval doubling each time.
     */
    private static final int ANNOUNCEMENTS = 10;
    private static final Duration FIRST_ANNOUNCEMENT_INTERVAL = Duration.ofMillis(250);

    private final GatewayRegistry gateways;
    private final GatewayCounters counters;
    private final Clock clock;
    private final PcpRequestHandler pcp;
    private final NatPmpRequestHandler natPmp;
    /** Dispatchers per FLOW_PRIORITY option code, which gateways may configure. */
    private final ConcurrentHashMap<Integer, MessageDispatcher> dispatchers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Announcer>> announcers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService announcementTimer;
    private final Registration epochRegistration;
    /** Requests that hit a bug rather than a protocol answer; tests insist it stays 0. */
    private final LongAdder internalErrors = new LongAdder();
    /** Per gateway, the budget its clients share ({@code request-rate}). */
    private final ConcurrentHashMap<String, TokenBucket> gatewayBudgets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    @Activate
    public PcpEngine(@Reference final GatewayRegistry gateways, @Reference final MappingStore store,
            @Reference final GatewayCounters counters, @Reference final AnswerGate gate,
            final Configuration configuration) {
        this(gateways, store, counters, gate, Clock.systemUTC(), configuration.maxMappings(), System::nanoTime);
    }

    /**
     * An engine on the given clock with the default controller limit.
     */
    public PcpEngine(final GatewayRegistry gateways, final MappingStore store, final GatewayCounters counters,
            final AnswerGate gate, final Clock clock) {
        this(gateways, store, counters, gate, clock, DEFAULT_MAX_MAPPINGS, System::nanoTime);
    }

    /**
     * An engine on the given clocks and with the given controller limit.
     *
     * @param maxMappings most mappings over every gateway, 0 for no limit
     * @param nanoTime a monotonic clock in nanoseconds, for the request rates
     */
    public PcpEngine(final GatewayRegistry gateways, final MappingStore store, final GatewayCounters counters,
            final AnswerGate gate, final Clock clock, final long maxMappings, final LongSupplier nanoTime) {
        this.gateways = requireNonNull(gateways);
        this.counters = requireNonNull(counters);
        this.clock = requireNonNull(clock);
        this.nanoTime = requireNonNull(nanoTime);
        final var limits = new MappingLimits(store, counters, maxMappings);
        pcp = new PcpRequestHandler(store, gate, limits, clock);
        natPmp = new NatPmpRequestHandler(store, gate, limits, clock);
        announcementTimer = Executors.newSingleThreadScheduledExecutor(new ThreadFactoryBuilder()
            .setNameFormat("pcp-announce").setDaemon(true).build());
        epochRegistration = gateways.addEpochListener(this::epochStarted);
        LOG.info("PCP engine started");
    }

    // Decoding and policy never throw, and their futures never fail, by design; this is the last line so that no
    // ingress ever sees an exception or a failed future.
    @Override
    @SuppressWarnings("checkstyle:IllegalCatch")
    public ListenableFuture<Optional<byte[]>> handle(final String gateway, final InetSocketAddress client,
            final InetSocketAddress server, final byte[] payload) {
        try {
            return Futures.catching(serve(gateway, client, payload), Throwable.class,
                cause -> dropped(gateway, client, payload, cause), MoreExecutors.directExecutor());
        } catch (RuntimeException e) {
            return Futures.immediateFuture(dropped(gateway, client, payload, e));
        }
    }

    private Optional<byte[]> dropped(final String gateway, final InetSocketAddress client, final byte[] payload,
            final Throwable cause) {
        internalErrors.increment();
        LOG.warn("Request of {} bytes from {} for gateway {} dropped", payload.length, client, gateway, cause);
        return Optional.empty();
    }

    private ListenableFuture<Optional<byte[]>> serve(final String gatewayId, final InetSocketAddress client,
            final byte[] payload) {
        final var found = gateways.lookup(gatewayId);
        if (found.isEmpty()) {
            // The ingress serves a gateway whose configuration is gone or invalid: there is no policy to apply.
            LOG.debug("Request for unknown or misconfigured gateway {} from {} dropped", gatewayId, client);
            return Futures.immediateFuture(Optional.empty());
        }
        final var gateway = found.orElseThrow();
        if (!withinRequestRate(gateway)) {
            // RFC 6887 section 18.3.1: bound what one home can take; dropped before decoding, like the client rate
            counters.overRate(gatewayId);
            return drop(client, "gateway " + gatewayId + " is over its request rate");
        }
        final long epochTime = epochTime(gatewayId);
        final var source = client.getAddress();
        final var dispatcher = dispatchers.computeIfAbsent(gateway.policy().flowPriorityOptionCode(),
            code -> new MessageDispatcher(new PcpCodec(PcpRegistry.standard(code))));
        return switch (dispatcher.decodeRequest(payload)) {
            case DecodeResult.Empty empty -> Futures.immediateFuture(Optional.empty());
            case DecodeResult.Pcp(PcpDecodeResult.Decoded(PcpRequest request)) -> {
                counters.request(gatewayId, true, request.opcode().code());
                yield countPcp(gatewayId, pcp.handle(new PcpRequestHandler.Context(gateway, dispatcher.pcpCodec(),
                    request, payload, source, epochTime)));
            }
            case DecodeResult.Pcp(PcpDecodeResult.Decoded decoded) -> drop(client, "a PCP response");
            case DecodeResult.Pcp(PcpDecodeResult.Failed failed) -> {
                LOG.debug("PCP request from {} refused with {}: {}", client, failed.resultCode(), failed.reason());
                counters.request(gatewayId, true, payload[1]);
                yield countPcp(gatewayId, Futures.immediateFuture(failed.errorResponse(
                    failed.resultCode().isShortLifetimeError() ? gateway.policy().shortErrorLifetime() : 0,
                    epochTime)));
            }
            case DecodeResult.Pcp(PcpDecodeResult.Dropped dropped) -> drop(client, dropped.reason());
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(var message)) -> {
                counters.request(gatewayId, false, message instanceof NatPmpMessage.MappingRequest map
                    ? map.protocol().opcode() : NatPmpCodec.PUBLIC_ADDRESS_OPCODE);
                yield wrap(natPmp.handle(new NatPmpRequestHandler.Context(gateway, source, epochTime), message));
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Failed failed) -> {
                LOG.debug("NAT-PMP request from {} refused with {}: {}", client, failed.resultCode(),
                    failed.reason());
                counters.request(gatewayId, false, failed.requestOpcode());
                yield answer(NatPmpCodec.encode(failed.errorResponse(epochTime)));
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Dropped dropped) -> drop(client, dropped.reason());
        };
    }

    // Counts a PCP answer by its result code, byte 3 of every PCP response.
    private ListenableFuture<Optional<byte[]>> countPcp(final String gatewayId,
            final ListenableFuture<byte[]> response) {
        return Futures.transform(response, bytes -> {
            counters.response(gatewayId, bytes[3]);
            return Optional.of(bytes);
        }, MoreExecutors.directExecutor());
    }

    private static ListenableFuture<Optional<byte[]>> answer(final byte[] response) {
        return Futures.immediateFuture(Optional.of(response));
    }

    private static ListenableFuture<Optional<byte[]>> drop(final InetSocketAddress client, final String reason) {
        LOG.debug("Datagram from {} dropped: {}", client, reason);
        return Futures.immediateFuture(Optional.empty());
    }

    private static ListenableFuture<Optional<byte[]>> wrap(final ListenableFuture<byte[]> response) {
        return Futures.transform(response, Optional::of, MoreExecutors.directExecutor());
    }

    private boolean withinRequestRate(final GatewayView gateway) {
        final long now = nanoTime.getAsLong();
        final double rate = gateway.policy().requestRate();
        final var budget = gatewayBudgets.computeIfAbsent(gateway.id(), id -> new TokenBucket(rate, now));
        return budget.take(now, rate, rate);
    }

    /**
     * Seconds since the gateway's epoch started (RFC 6887 section 8.5), 0 while it is not known yet.
     */
    private long epochTime(final String gateway) {
        final var origin = gateways.epochOrigin(gateway);
        if (origin.isEmpty()) {
            return 0;
        }
        final long seconds = Duration.between(origin.orElseThrow(), clock.instant()).toSeconds();
        return Math.min(Math.max(seconds, 0), 0xFFFF_FFFFL);
    }

    long internalErrors() {
        return internalErrors.sum();
    }

    @Override
    public Registration registerAnnouncer(final String gateway, final Announcer announcer) {
        requireNonNull(announcer);
        announcers.computeIfAbsent(gateway, id -> new CopyOnWriteArrayList<>()).add(announcer);
        return () -> announcers.computeIfPresent(gateway, (id, list) -> {
            list.remove(announcer);
            return list.isEmpty() ? null : list;
        });
    }

    private void epochStarted(final String gateway, final Instant origin) {
        long delay = 0;
        long interval = FIRST_ANNOUNCEMENT_INTERVAL.toMillis();
        for (int i = 0; i < ANNOUNCEMENTS; i++) {
            announcementTimer.schedule(() -> announce(gateway, origin), delay, TimeUnit.MILLISECONDS);
            delay += interval;
            interval *= 2;
        }
    }

    // On the announcement timer: a failing announcer must not stop the others, nor the schedule.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void announce(final String gatewayId, final Instant origin) {
        final var gateway = gateways.lookup(gatewayId);
        if (gateway.isEmpty() || !gateways.epochOrigin(gatewayId).equals(Optional.of(origin))) {
            // gone, or a newer epoch has its own announcements
            return;
        }
        final var announcement = announcement(gateway.orElseThrow());
        for (var announcer : announcers.getOrDefault(gatewayId, new CopyOnWriteArrayList<>())) {
            try {
                announcer.announce(announcement);
            } catch (RuntimeException e) {
                LOG.warn("Announcement for gateway {} failed", gatewayId, e);
            }
        }
    }

    private Announcement announcement(final GatewayView gateway) {
        final long epochTime = epochTime(gateway.id());
        final var codec = dispatchers.computeIfAbsent(gateway.policy().flowPriorityOptionCode(),
            code -> new MessageDispatcher(new PcpCodec(PcpRegistry.standard(code)))).pcpCodec();
        final var external = gateway.externalAddresses().stream().filter(Inet4Address.class::isInstance)
            .map(Inet4Address.class::cast).findFirst();
        return new Announcement(gateway.id(), codec.unsolicitedAnnounce(epochTime),
            external.map(address -> NatPmpCodec.addressChangeAnnouncement(epochTime, address)).orElse(null));
    }

    @Override
    @Deactivate
    public void close() {
        epochRegistration.close();
        announcementTimer.shutdownNow();
        LOG.info("PCP engine stopped");
    }
}
