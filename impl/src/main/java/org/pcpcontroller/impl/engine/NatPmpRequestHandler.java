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
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpMessage.PublicAddressResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.MappingConflictException;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT-PMP request handling (RFC 6886) on the same mapping table as PCP (RFC 6887 appendix A): a NAT-PMP mapping is a
 * MAP without a nonce, owned by its internal host. Mappings a PCP client protects with a nonce, and operator
 * mappings, are not NAT-PMP's to refresh or delete. As for PCP, whatever fails after the external port was chosen
 * leaves nothing in the store and the client gets an answer.
 */
final class NatPmpRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(NatPmpRequestHandler.class);
    private static final int ALLOCATION_ATTEMPTS = 3;
    private static final byte[] UNSPECIFIED = new byte[4];

    /**
     * One request in its context.
     *
     * @param gateway the gateway serving it
     * @param source the packet's source address: the internal host
     * @param epochTime the gateway's epoch time
     */
    record Context(GatewayView gateway, InetAddress source, long epochTime) {
        Context {
            requireNonNull(gateway);
            requireNonNull(source);
        }
    }

    private final MappingStore store;
    private final AnswerGate gate;
    private final MappingLimits limits;
    private final Clock clock;

    NatPmpRequestHandler(final MappingStore store, final AnswerGate gate, final MappingLimits limits,
            final Clock clock) {
        this.gate = requireNonNull(gate);
        this.store = requireNonNull(store);
        this.limits = requireNonNull(limits);
        this.clock = requireNonNull(clock);
    }

    /**
     * Serves a decoded request; the future never fails.
     */
    ListenableFuture<byte[]> handle(final Context ctx, final NatPmpMessage request) {
        return switch (request) {
            case NatPmpMessage.PublicAddressRequest ignored -> Futures.immediateFuture(publicAddress(ctx));
            case MappingRequest map -> map(ctx, map, ALLOCATION_ATTEMPTS);
            default -> throw new IllegalArgumentException("Not a request: " + request);
        };
    }

    // RFC 6886 section 3.2: the gateway's external IPv4 address; NETWORK_FAILURE while it has none.
    private static byte[] publicAddress(final Context ctx) {
        final var gateway = ctx.gateway();
        final NatPmpResultCode result;
        Inet4Address address = unspecified();
        if (!gateway.enabled()) {
            result = NatPmpResultCode.NETWORK_FAILURE;
        } else if (!gateway.isInternal(ctx.source())) {
            result = NatPmpResultCode.NOT_AUTHORIZED;
        } else {
            final var external = gateway.externalAddresses().stream().filter(Inet4Address.class::isInstance)
                .map(Inet4Address.class::cast).findFirst();
            result = external.isPresent() ? NatPmpResultCode.SUCCESS : NatPmpResultCode.NETWORK_FAILURE;
            address = external.orElse(address);
        }
        return NatPmpCodec.encode(new PublicAddressResponse(result, ctx.epochTime(), address));
    }

    /**
     * A mapping request, decided on the store's state now; {@code attemptsLeft} bounds how often a lost race for the
     * external port makes it decide again.
     */
    private ListenableFuture<byte[]> map(final Context ctx, final MappingRequest request, final int attemptsLeft) {
        final var gateway = ctx.gateway();
        final var source = ctx.source();
        if (!gateway.enabled()) {
            return refuse(ctx, request, NatPmpResultCode.NETWORK_FAILURE, "gateway disabled");
        }
        if (!(source instanceof Inet4Address) || !gateway.isInternal(source)) {
            return refuse(ctx, request, NatPmpResultCode.NOT_AUTHORIZED, source.getHostAddress()
                + " is not an internal IPv4 host of gateway " + gateway.id());
        }
        final int protocol = request.protocol().ianaNumber();
        if (request.requestedLifetime() == 0) {
            return request.internalPort() == 0 ? deleteAll(ctx, request, protocol) : delete(ctx, request, protocol);
        }
        if (request.internalPort() == 0) {
            return refuse(ctx, request, NatPmpResultCode.NOT_AUTHORIZED, "internal port 0 with a lifetime");
        }
        final var key = new MappingKey.Map(gateway.id(), protocol, source, request.internalPort());
        final long lifetime = gateway.clampLifetime(request.requestedLifetime());
        final var now = clock.instant();
        final var existing = store.get(key);
        if (existing.isPresent()) {
            final var mapping = existing.orElseThrow();
            if (!ownedByHost(mapping)) {
                return refuse(ctx, request, NatPmpResultCode.NOT_AUTHORIZED, key + " belongs to "
                    + (mapping.origin() == Origin.OPERATOR ? "the operator" : "a PCP client"));
            }
            // A refresh keeps the external port whatever is suggested (RFC 6886 section 3.3).
            return answerAfter(ctx, request, store.put(mapping.withOrigin(Origin.NAT_PMP).withClientAddress(null)
                .withExpires(now.plusSeconds(lifetime))), lifetime, attemptsLeft - 1, false);
        }
        final var exceeded = limits.exceeded(gateway, source);
        if (exceeded.isPresent()) {
            // RFC 6886 section 3.5: out of resources covers the client's quota as well as the gateway's
            return refuse(ctx, request, NatPmpResultCode.OUT_OF_RESOURCES,
                MappingLimits.describe(gateway, source, exceeded.orElseThrow()));
        }
        final var external = gateway.defaultExternalAddress(source);
        if (external.isEmpty()) {
            return refuse(ctx, request, NatPmpResultCode.NETWORK_FAILURE, "gateway " + gateway.id()
                + " has no external IPv4 address");
        }
        final var address = external.orElseThrow();
        return switch (PortAllocator.allocate(gateway, store, key, address, request.suggestedExternalPort(), false,
                true)) {
            case PortAllocator.Allocation.Assigned assigned -> answerAfter(ctx, request, store.create(new Mapping(key,
                address, assigned.port(), Origin.NAT_PMP, null, null, now, now.plusSeconds(lifetime), null, null,
                List.of())), lifetime, attemptsLeft - 1, true);
            case PortAllocator.Allocation.NotPermitted denied -> refuse(ctx, request, NatPmpResultCode.NOT_AUTHORIZED,
                "no external port permitted for " + key);
            case PortAllocator.Allocation.Exhausted exhausted -> refuse(ctx, request,
                NatPmpResultCode.OUT_OF_RESOURCES, "no free external port for " + key);
            // only a client that insists is refused its suggestion, and NAT-PMP never insists
            case PortAllocator.Allocation.SuggestionRefused refused -> refuse(ctx, request,
                NatPmpResultCode.OUT_OF_RESOURCES, "no free external port for " + key);
        };
    }

    private ListenableFuture<byte[]> answerAfter(final Context ctx, final MappingRequest request,
            final ListenableFuture<Mapping> stored, final long lifetime, final int attemptsLeft,
            final boolean created) {
        final var rendered = gate.afterRendered(stored, created);
        final var answered = Futures.transform(rendered, mapping -> {
            LOG.debug("NAT-PMP {} until {}", mapping.key(), mapping.expires());
            return NatPmpCodec.encode(new MappingResponse(request.protocol(), NatPmpResultCode.SUCCESS,
                ctx.epochTime(), request.internalPort(), mapping.externalPort(), lifetime));
        }, MoreExecutors.directExecutor());
        return Futures.catchingAsync(answered, Exception.class, cause -> {
            if (cause instanceof MappingConflictException && attemptsLeft > 0) {
                // lost a race for the port, or the same request twice at once: decide again on the new state
                return map(ctx, request, attemptsLeft);
            }
            if (cause instanceof AnswerGate.NotRenderedException) {
                // RFC 6886 section 3.5: NETWORK_FAILURE (3) when the NAT cannot put the mapping in place
                LOG.info("NAT-PMP request from {}: {}", ctx.source().getHostAddress(), cause.getMessage());
                return refuse(ctx, request, NatPmpResultCode.NETWORK_FAILURE, String.valueOf(cause.getMessage()));
            }
            LOG.warn("Could not store the mapping of a NAT-PMP request from {}", ctx.source().getHostAddress(),
                cause);
            return refuse(ctx, request, NatPmpResultCode.OUT_OF_RESOURCES, "store failed");
        }, MoreExecutors.directExecutor());
    }

    private ListenableFuture<byte[]> delete(final Context ctx, final MappingRequest request, final int protocol) {
        final var key = new MappingKey.Map(ctx.gateway().id(), protocol, ctx.source(), request.internalPort());
        final var existing = store.get(key);
        if (existing.isEmpty()) {
            // nothing to delete is a success (RFC 6886 section 3.4)
            return Futures.immediateFuture(deleted(ctx, request));
        }
        if (!ownedByHost(existing.orElseThrow())) {
            return refuse(ctx, request, NatPmpResultCode.NOT_AUTHORIZED, key + " is not a NAT-PMP mapping");
        }
        return Futures.catching(Futures.transform(store.remove(key), removed -> deleted(ctx, request),
            MoreExecutors.directExecutor()), Exception.class,
            cause -> failedDelete(ctx, request, cause), MoreExecutors.directExecutor());
    }

    // Internal port 0 and lifetime 0: all of this host's mappings of the opcode's protocol (RFC 6886 section 3.4;
    // miniupnpd deletes every protocol). Only those a NAT-PMP client may touch.
    private ListenableFuture<byte[]> deleteAll(final Context ctx, final MappingRequest request, final int protocol) {
        final var removals = store.mappingsOf(ctx.gateway().id(), ctx.source()).stream()
            .filter(mapping -> mapping.key() instanceof MappingKey.Map && mapping.key().protocol() == protocol
                && ownedByHost(mapping))
            .map(mapping -> store.remove(mapping.key()))
            .toList();
        return Futures.catching(Futures.transform(Futures.allAsList(removals), removed -> deleted(ctx, request),
            MoreExecutors.directExecutor()), Exception.class,
            cause -> failedDelete(ctx, request, cause), MoreExecutors.directExecutor());
    }

    private byte[] failedDelete(final Context ctx, final MappingRequest request, final Throwable cause) {
        LOG.warn("Could not delete a NAT-PMP mapping of {}", ctx.source().getHostAddress(), cause);
        return encodeRefusal(ctx, request, NatPmpResultCode.OUT_OF_RESOURCES);
    }

    // A mapping without a nonce, made by NAT-PMP or PCP version 1, belongs to its internal host.
    private static boolean ownedByHost(final Mapping mapping) {
        return mapping.origin() != Origin.OPERATOR && mapping.nonce() == null;
    }

    private static byte[] deleted(final Context ctx, final MappingRequest request) {
        return NatPmpCodec.encode(new MappingResponse(request.protocol(), NatPmpResultCode.SUCCESS, ctx.epochTime(),
            request.internalPort(), 0, 0));
    }

    private static ListenableFuture<byte[]> refuse(final Context ctx, final MappingRequest request,
            final NatPmpResultCode result, final String reason) {
        LOG.debug("NAT-PMP request from {} refused with {}: {}", ctx.source().getHostAddress(), result, reason);
        return Futures.immediateFuture(encodeRefusal(ctx, request, result));
    }

    // Errors carry the internal port, and 0 for the external port and lifetime (RFC 6886 section 3.5).
    private static byte[] encodeRefusal(final Context ctx, final MappingRequest request,
            final NatPmpResultCode result) {
        return NatPmpCodec.encode(new MappingResponse(request.protocol(), result, ctx.epochTime(),
            request.internalPort(), 0, 0));
    }

    private static Inet4Address unspecified() {
        try {
            return (Inet4Address) InetAddress.getByAddress(UNSPECIFIED);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
