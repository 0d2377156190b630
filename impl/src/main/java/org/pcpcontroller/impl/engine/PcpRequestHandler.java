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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.OpcodeData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.api.pcp.ThirdPartyOption;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.MappingLimit;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.MappingConflictException;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PCP request handling (RFC 6887 sections 8.2, 11, 12, 13, 14 and 15) for a request the codec accepted. Checks run in
 * the order of the RFC, the first failure answers; nothing is stored unless every check passed, and a SUCCESS is
 * built only once the store has committed the mapping. Whatever fails after the external port was chosen, the store
 * holds nothing of it and the client gets an answer.
 */
final class PcpRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PcpRequestHandler.class);
    /** A request lost a race for its external port: choose again, a bounded number of times. */
    private static final int ALLOCATION_ATTEMPTS = 3;
    /** IANA protocol number of SCTP, for which PREFER_FAILURE is implied (RFC 6887 section 7.4). */
    private static final int SCTP = 132;

    /**
     * One request in its context.
     *
     * @param gateway the gateway serving it
     * @param codec the codec for the gateway's option codes, for the answer
     * @param request the decoded request
     * @param datagram the request as received, for error answers that copy it
     * @param source the packet's source address
     * @param epochTime the gateway's epoch time
     */
    record Context(GatewayView gateway, PcpCodec codec, PcpRequest request, byte[] datagram, InetAddress source,
            long epochTime) {
        Context {
            requireNonNull(gateway);
            requireNonNull(codec);
            requireNonNull(request);
            requireNonNull(datagram);
            requireNonNull(source);
        }
    }

    /**
     * The options of a request, by kind.
     */
    private record Options(@Nullable ThirdPartyOption thirdParty, boolean preferFailure, List<FilterOption> filters,
            @Nullable String description, @Nullable FlowPriority flowPriority) {
        static Options of(final List<PcpOption> options) {
            ThirdPartyOption thirdParty = null;
            boolean preferFailure = false;
            final var filters = new ArrayList<FilterOption>();
            String description = null;
            FlowPriority flowPriority = null;
            for (var option : options) {
                switch (option) {
                    case ThirdPartyOption third -> thirdParty = third;
                    case PreferFailureOption prefer -> preferFailure = true;
                    case FilterOption filter -> filters.add(filter);
                    case DescriptionOption text -> description = text.description();
                    case FlowPriorityOption flow -> flowPriority = flow.priority();
                    default -> {
                        // optional options we do not know are ignored (RFC 6887 section 7.3)
                    }
                }
            }
            return new Options(thirdParty, preferFailure, filters, description, flowPriority);
        }

        /**
         * The same options with FLOW_PRIORITY left unprocessed.
         */
        Options withoutFlowPriority() {
            return new Options(thirdParty, preferFailure, filters, description, null);
        }

        /**
         * The options a response carries: the standard ones the server processed (RFC 6887 section 7.3; unknown
         * optional options were not processed). DESCRIPTION goes last: its length is rarely a multiple of 4, and
         * decoders that ignore option padding (Wireshark 4.0, miniupnpd up to 2.3.10) lose track of any option after
         * it. FLOW_PRIORITY is a private option without an IANA code; it is not echoed, so that independent decoders
         * see a clean response, and what was granted shows in the mapping.
         */
        List<PcpOption> echo() {
            final var echo = new ArrayList<PcpOption>();
            if (thirdParty != null) {
                echo.add(thirdParty);
            }
            if (preferFailure) {
                echo.add(new PreferFailureOption());
            }
            echo.addAll(filters);
            if (description != null) {
                echo.add(new DescriptionOption(description));
            }
            return echo;
        }
    }

    /**
     * A request refused with a result code; an exception only to leave the nested checks early.
     */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient ResultCode resultCode;

        Refusal(final ResultCode resultCode, final String reason) {
            super(reason, null, false, false);
            this.resultCode = resultCode;
        }
    }

    /**
     * The endpoint chosen for a new mapping.
     */
    private record Endpoint(InetAddress address, int port) {
    }

    /**
     * Builds a new mapping on the endpoint chosen for it.
     */
    @FunctionalInterface
    private interface MappingFactory {
        Mapping create(Endpoint endpoint);
    }

    private final MappingStore store;
    private final AnswerGate gate;
    private final MappingLimits limits;
    private final Clock clock;

    PcpRequestHandler(final MappingStore store, final AnswerGate gate, final MappingLimits limits,
            final Clock clock) {
        this.gate = requireNonNull(gate);
        this.store = requireNonNull(store);
        this.limits = requireNonNull(limits);
        this.clock = requireNonNull(clock);
    }

    /**
     * Serves a request; the future never fails.
     */
    ListenableFuture<byte[]> handle(final Context ctx) {
        try {
            return switch (ctx.request().data()) {
                case AnnounceData announce -> Futures.immediateFuture(announce(ctx));
                case MapData map -> map(ctx, map);
                case PeerData peer -> peer(ctx, peer);
                default -> throw new Refusal(ResultCode.UNSUPP_OPCODE, "opcode " + ctx.request().opcode()
                    + " is not served");
            };
        } catch (Refusal e) {
            return Futures.immediateFuture(error(ctx, e));
        }
    }

    // RFC 6887 section 14.1: an ANNOUNCE request is answered SUCCESS with lifetime 0; it tells the client the epoch.
    private byte[] announce(final Context ctx) throws Refusal {
        checkCommon(ctx);
        return ctx.codec().encode(new PcpResponse(ctx.request().version(), ResultCode.SUCCESS, 0, ctx.epochTime(),
            new AnnounceData(), List.of()));
    }

    // ADDRESS_MISMATCH first (section 8.2), then whether this gateway serves at all.
    private static void checkCommon(final Context ctx) throws Refusal {
        if (!ctx.request().clientAddress().equals(ctx.source())) {
            throw new Refusal(ResultCode.ADDRESS_MISMATCH, "client address " + ctx.request().clientAddress()
                .getHostAddress() + " is not the source " + ctx.source().getHostAddress());
        }
        if (!ctx.gateway().enabled()) {
            throw new Refusal(ResultCode.NETWORK_FAILURE, "gateway " + ctx.gateway().id() + " is disabled");
        }
    }

    /**
     * The internal address a MAP or PEER is for: the source, or with THIRD_PARTY the host it names (section 13.1).
     */
    private static InetAddress internalAddress(final Context ctx, final Options options) throws Refusal {
        final var source = ctx.source();
        final var thirdParty = options.thirdParty();
        if (thirdParty == null) {
            if (!ctx.gateway().isInternal(source)) {
                throw new Refusal(ResultCode.NOT_AUTHORIZED, source.getHostAddress()
                    + " is not inside the internal prefixes of gateway " + ctx.gateway().id());
            }
            return source;
        }
        final var internal = thirdParty.internalAddress();
        if (internal.equals(source)) {
            throw new Refusal(ResultCode.MALFORMED_OPTION, "THIRD_PARTY names the client itself");
        }
        if (!ctx.gateway().allowsThirdParty(source)) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, source.getHostAddress()
                + " may not ask for third-party mappings");
        }
        if (!ctx.gateway().isInternal(internal)) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, "THIRD_PARTY " + internal.getHostAddress()
                + " is not inside the internal prefixes of gateway " + ctx.gateway().id());
        }
        return internal;
    }

    private static void checkProtocol(final int protocol) throws Refusal {
        if (protocol != 0 && IpProtocol.forValue(protocol) == null) {
            throw new Refusal(ResultCode.UNSUPP_PROTOCOL, "protocol " + protocol + " is not supported");
        }
    }

    private ListenableFuture<byte[]> map(final Context ctx, final MapData data) throws Refusal {
        checkCommon(ctx);
        var options = Options.of(ctx.request().options());
        final var internal = internalAddress(ctx, options);
        final int protocol = data.protocol();
        // Section 11.1: with protocol 0 ("all protocols") the internal port MUST be ignored on reception.
        final int internalPort = protocol == 0 ? 0 : data.internalPort();
        checkProtocol(protocol);
        final var suggestedAddress = specified(data.externalAddress());
        if (options.preferFailure() && suggestedAddress == null && data.externalPort() == 0) {
            throw new Refusal(ResultCode.MALFORMED_OPTION, "PREFER_FAILURE without a suggested address or port");
        }
        // Section 7.4: for SCTP, PREFER_FAILURE is implied; only what the client suggests, if it suggests anything.
        final boolean insist = options.preferFailure()
            || protocol == SCTP && (suggestedAddress != null || data.externalPort() != 0);
        final var filters = filters(ctx, options, internal);
        final var key = new MappingKey.Map(ctx.gateway().id(), protocol, internal, internalPort);
        final var nonce = data.nonce();
        if (ctx.request().requestedLifetime() == 0) {
            return internalPort == 0 ? deleteAll(ctx, key, nonce, options) : delete(ctx, key, nonce, options);
        }
        checkWildcards(ctx, protocol, internalPort);
        options = flowPriorityPolicy(ctx, options);

        final var existing = store.get(key);
        final long lifetime = ctx.gateway().clampLifetime(ctx.request().requestedLifetime());
        final var now = clock.instant();
        if (existing.isPresent()) {
            final var mapping = existing.orElseThrow();
            checkOwner(ctx, mapping, nonce, internal instanceof Inet4Address);
            if (insist && (suggestedAddress != null && !suggestedAddress.equals(mapping.externalAddress())
                    || data.externalPort() != 0 && data.externalPort() != mapping.externalPort())) {
                throw new Refusal(ResultCode.CANNOT_PROVIDE_EXTERNAL, "the mapping exists with external "
                    + mapping.externalAddress().getHostAddress() + ":" + mapping.externalPort());
            }
            return refresh(ctx, mapping, internal, nonce, lifetime,
                options.filters().isEmpty() ? mapping.filters() : filters, options);
        }
        checkLimits(ctx, internal);
        final var external = externalAddresses(ctx, internal, suggestedAddress, insist);
        final var granted = options;
        return new Creation(ctx, key, external, data.externalPort(), insist, endpoint -> new Mapping(key,
            endpoint.address(), endpoint.port(), Origin.PCP, clientAddress(ctx, internal), nonce, now,
            now.plusSeconds(lifetime), granted.description(), granted.flowPriority(), filters), lifetime, granted)
            .attempt();
    }

    private ListenableFuture<byte[]> peer(final Context ctx, final PeerData data) throws Refusal {
        checkCommon(ctx);
        var options = Options.of(ctx.request().options());
        if (options.preferFailure() || !options.filters().isEmpty()) {
            // Table of RFC 6887 section 7.3 / 13: PREFER_FAILURE and FILTER are valid for MAP only.
            throw new Refusal(ResultCode.MALFORMED_OPTION, "PREFER_FAILURE and FILTER are not valid in PEER");
        }
        final var internal = internalAddress(ctx, options);
        final int protocol = data.protocol();
        if (protocol == 0 || data.internalPort() == 0 || data.remotePeerPort() == 0) {
            throw new Refusal(ResultCode.MALFORMED_REQUEST, "PEER needs a protocol, an internal and a remote port");
        }
        checkProtocol(protocol);
        if (data.remotePeerAddress().getClass() != internal.getClass()) {
            throw new Refusal(ResultCode.MALFORMED_REQUEST, "remote peer " + data.remotePeerAddress()
                .getHostAddress() + " is not of the family of " + internal.getHostAddress());
        }
        final var key = new MappingKey.Peer(ctx.gateway().id(), protocol, internal, data.internalPort(),
            data.remotePeerAddress(), data.remotePeerPort());
        final var nonce = data.nonce();
        if (ctx.request().requestedLifetime() == 0) {
            return delete(ctx, key, nonce, options);
        }
        options = flowPriorityPolicy(ctx, options);
        final var existing = store.get(key);
        final long lifetime = ctx.gateway().clampLifetime(ctx.request().requestedLifetime());
        final var now = clock.instant();
        if (existing.isPresent()) {
            final var mapping = existing.orElseThrow();
            checkOwner(ctx, mapping, nonce, internal instanceof Inet4Address);
            return refresh(ctx, mapping, internal, nonce, lifetime, List.of(), options);
        }
        checkLimits(ctx, internal);
        // A PEER shares the external endpoint of the MAP of the same internal endpoint (RFC 6887 section 12).
        final var map = store.get(new MappingKey.Map(ctx.gateway().id(), protocol, internal, data.internalPort()));
        final List<InetAddress> external;
        final int suggestedPort;
        if (map.isPresent()) {
            external = List.of(map.orElseThrow().externalAddress());
            suggestedPort = map.orElseThrow().externalPort();
        } else {
            external = externalAddresses(ctx, internal, specified(data.externalAddress()), false);
            suggestedPort = data.externalPort();
        }
        final var granted = options;
        return new Creation(ctx, key, external, suggestedPort, false, endpoint -> new Mapping(key, endpoint.address(),
            endpoint.port(), Origin.PCP, clientAddress(ctx, internal), nonce, now, now.plusSeconds(lifetime),
            granted.description(), granted.flowPriority(), List.of()), lifetime, granted).attempt();
    }

    // A refresh extends the lease and keeps the external endpoint; DESCRIPTION and FLOW_PRIORITY replace the stored
    // ones when present (section 15).
    private ListenableFuture<byte[]> refresh(final Context ctx, final Mapping mapping, final InetAddress internal,
            final @Nullable Nonce nonce, final long lifetime, final List<Filter> filters, final Options options) {
        var refreshed = mapping.withOrigin(Origin.PCP).withClientAddress(clientAddress(ctx, internal))
            .withNonce(nonce).withExpires(clock.instant().plusSeconds(lifetime)).withFilters(filters);
        final var description = options.description();
        if (description != null) {
            refreshed = refreshed.withDescription(description);
        }
        final var flowPriority = options.flowPriority();
        if (flowPriority != null) {
            refreshed = refreshed.withFlowPriority(flowPriority);
        }
        return answerAfter(ctx, store.put(refreshed), lifetime, options, true);
    }

    /**
     * A new mapping on its way into the store: the external addresses to try in order (a gateway with several
     * spreads mappings over them when one is full), the port to prefer, whether only the suggestion will do, and how
     * to build the mapping on the endpoint found. When another request takes the chosen port, or creates the same
     * mapping, between the choice and the store, it chooses again from the new state; a bounded number of times,
     * since every lost race means another request won.
     */
    private final class Creation {
        private final Context ctx;
        private final MappingKey key;
        private final List<InetAddress> externals;
        private final int suggestedPort;
        private final boolean insist;
        private final MappingFactory factory;
        private final long lifetime;
        private final Options options;
        private int attemptsLeft = ALLOCATION_ATTEMPTS;

        Creation(final Context ctx, final MappingKey key, final List<InetAddress> externals, final int suggestedPort,
                final boolean insist, final MappingFactory factory, final long lifetime, final Options options) {
            this.ctx = ctx;
            this.key = key;
            this.externals = externals;
            this.suggestedPort = suggestedPort;
            this.insist = insist;
            this.factory = factory;
            this.lifetime = lifetime;
            this.options = options;
        }

        ListenableFuture<byte[]> attempt() throws Refusal {
            attemptsLeft--;
            final var mapping = factory.create(allocate());
            return Futures.catchingAsync(answerAfter(ctx, store.create(mapping), lifetime, options, false),
                MappingConflictException.class, this::lostRace, MoreExecutors.directExecutor());
        }

        private Endpoint allocate() throws Refusal {
            for (var external : externals) {
                switch (PortAllocator.allocate(ctx.gateway(), store, key, external, suggestedPort, insist, true)) {
                    case PortAllocator.Allocation.Assigned assigned -> {
                        return new Endpoint(external, assigned.port());
                    }
                    case PortAllocator.Allocation.NotPermitted denied -> throw new Refusal(ResultCode.NOT_AUTHORIZED,
                        "the permission rules allow no external port for " + key);
                    case PortAllocator.Allocation.Exhausted exhausted -> {
                        // try the next address
                    }
                    case PortAllocator.Allocation.SuggestionRefused refused -> {
                        // another address may still have the suggested port
                    }
                }
            }
            throw insist ? new Refusal(ResultCode.CANNOT_PROVIDE_EXTERNAL, "suggested external port "
                + suggestedPort + " cannot be given") : new Refusal(ResultCode.NO_RESOURCES,
                    "no free external port for " + key);
        }

        private ListenableFuture<byte[]> lostRace(final MappingConflictException conflict) {
            try {
                if (store.get(key).isPresent()) {
                    // the same client asked twice at once: the second answer is the first mapping's
                    return ctx.request().data() instanceof MapData map ? map(ctx, map)
                        : peer(ctx, (PeerData) ctx.request().data());
                }
                if (attemptsLeft == 0) {
                    throw new Refusal(ResultCode.NO_RESOURCES, "lost the race for an external port of " + key + " "
                        + ALLOCATION_ATTEMPTS + " times");
                }
                return attempt();
            } catch (Refusal e) {
                return Futures.immediateFuture(error(ctx, e));
            }
        }
    }

    // The mapping is committed before SUCCESS leaves; a failed commit is answered NO_RESOURCES (short lifetime).
    private ListenableFuture<byte[]> answerAfter(final Context ctx, final ListenableFuture<Mapping> stored,
            final long lifetime, final Options options, final boolean refresh) {
        final var answered = Futures.transform(gate.afterRendered(stored, !refresh), mapping -> {
            LOG.debug("{} {} until {}", refresh ? "Refreshed" : "Created", mapping.key(), mapping.expires());
            return success(ctx, mapping, lifetime, options);
        }, MoreExecutors.directExecutor());
        if (refresh) {
            return Futures.catching(answered, Exception.class, cause -> cause instanceof AnswerGate
                .NotRenderedException ? notRendered(ctx, cause) : storeFailed(ctx, cause),
                MoreExecutors.directExecutor());
        }
        // conflicts go back to the creation, anything else is a store failure
        return Futures.catchingAsync(answered, Exception.class, cause -> cause instanceof MappingConflictException
            ? Futures.immediateFailedFuture(cause) : Futures.immediateFuture(cause instanceof AnswerGate
                .NotRenderedException ? notRendered(ctx, cause) : storeFailed(ctx, cause)),
            MoreExecutors.directExecutor());
    }

    // RFC 6887 section 7.4: NETWORK_FAILURE, a short-lifetime error, when the server cannot put the mapping in place;
    // UNSUPP_PROTOCOL, a long-lifetime one, when the gateway can never map this protocol (ICMP on a netfilter gateway).
    private static byte[] notRendered(final Context ctx, final Throwable cause) {
        LOG.info("PCP request from {}: {}", ctx.source().getHostAddress(), cause.getMessage());
        return error(ctx, new Refusal(cause instanceof AnswerGate.NotRenderedException notRendered
            && notRendered.unsupported() ? ResultCode.UNSUPP_PROTOCOL : ResultCode.NETWORK_FAILURE,
            String.valueOf(cause.getMessage())));
    }

    private static byte[] storeFailed(final Context ctx, final Throwable cause) {
        LOG.warn("Could not store the mapping of a PCP request from {}", ctx.source().getHostAddress(), cause);
        return error(ctx, new Refusal(ResultCode.NO_RESOURCES, "store failed"));
    }

    private ListenableFuture<byte[]> delete(final Context ctx, final MappingKey key, final @Nullable Nonce nonce,
            final Options options) throws Refusal {
        final var existing = store.get(key);
        if (existing.isEmpty()) {
            // Deleting what does not exist succeeds (RFC 6887 section 15); miniupnpd answers NO_RESOURCES, which
            // some clients were written against.
            if (ctx.gateway().policy().deleteUnknownNoResources()) {
                throw new Refusal(ResultCode.NO_RESOURCES, "no mapping " + key);
            }
            return Futures.immediateFuture(deleted(ctx, null, options));
        }
        checkOwner(ctx, existing.orElseThrow(), nonce, false);
        return Futures.catching(Futures.transform(store.remove(key), removed -> {
            LOG.debug("Deleted {}", key);
            return deleted(ctx, removed.orElse(null), options);
        }, MoreExecutors.directExecutor()), Exception.class, cause -> storeFailed(ctx, cause),
            MoreExecutors.directExecutor());
    }

    // Internal port 0 with lifetime 0: every MAP of this client and protocol (all protocols for 0) that it owns.
    private ListenableFuture<byte[]> deleteAll(final Context ctx, final MappingKey.Map key,
            final @Nullable Nonce nonce, final Options options) throws Refusal {
        final var owned = new ArrayList<MappingKey>();
        boolean foreign = false;
        for (var mapping : store.mappingsOf(ctx.gateway().id(), key.internalAddress())) {
            if (mapping.key() instanceof MappingKey.Map && (key.protocol() == 0
                    || mapping.key().protocol() == key.protocol())) {
                if (owns(mapping, nonce)) {
                    owned.add(mapping.key());
                } else {
                    foreign = true;
                }
            }
        }
        if (owned.isEmpty() && foreign) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, "the mappings of " + key.internalAddress().getHostAddress()
                + " belong to another nonce or the operator");
        }
        final var removals = owned.stream().map(store::remove).toList();
        return Futures.catching(Futures.transform(Futures.allAsList(removals),
            removed -> deleted(ctx, null, options), MoreExecutors.directExecutor()), Exception.class,
            cause -> storeFailed(ctx, cause), MoreExecutors.directExecutor());
    }

    /**
     * Whether a request with this nonce may refresh or delete the mapping. Operator mappings belong to the
     * operator. A mapping without a nonce (NAT-PMP, PCP version 1) belongs to its internal host, which the caller
     * has already checked.
     */
    private static boolean owns(final Mapping mapping, final @Nullable Nonce nonce) {
        return mapping.origin() != Origin.OPERATOR && (mapping.nonce() == null
            || Objects.equals(mapping.nonce(), nonce));
    }

    private static void checkOwner(final Context ctx, final Mapping mapping, final @Nullable Nonce nonce,
            final boolean refreshOfIpv4) throws Refusal {
        if (owns(mapping, nonce)) {
            return;
        }
        // miniupnpd lets a refresh with another nonce take an IPv4 mapping over; only where configured.
        if (refreshOfIpv4 && mapping.origin() != Origin.OPERATOR && ctx.gateway().policy().nonceTakeoverOnRefresh()) {
            LOG.debug("{} taken over by a new nonce", mapping.key());
            return;
        }
        throw new Refusal(ResultCode.NOT_AUTHORIZED, mapping.key() + " belongs to "
            + (mapping.origin() == Origin.OPERATOR ? "the operator" : "another nonce"));
    }

    // Protocol 0 ("all protocols") and internal port 0 ("all ports") are a policy decision (RFC 6887 section 11.1).
    private static void checkWildcards(final Context ctx, final int protocol, final int internalPort)
            throws Refusal {
        if (protocol == 0 && !ctx.gateway().policy().allowProtocolAll()) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, "mappings for all protocols are not allowed");
        }
        if (protocol != 0 && internalPort == 0 && !ctx.gateway().policy().allowAllPorts()) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, "mappings for all ports are not allowed");
        }
    }

    // pcp-flow-priority: DSCP values the gateway does not allow are refused (reject), or not marked (ignore).
    private static Options flowPriorityPolicy(final Context ctx, final Options options) throws Refusal {
        final var asked = options.flowPriority();
        final var marking = ctx.gateway().marking();
        if (asked == null || marking.allows(asked.dscpUp(), asked.dscpDown())) {
            return options;
        }
        if (marking.rejectDisallowed()) {
            throw new Refusal(ResultCode.NOT_AUTHORIZED, "FLOW_PRIORITY up " + asked.dscpUp() + " down "
                + asked.dscpDown() + " is not allowed on gateway " + ctx.gateway().id());
        }
        LOG.debug("FLOW_PRIORITY {} not allowed on gateway {}: mapped without marking", asked, ctx.gateway().id());
        return options.withoutFlowPriority();
    }

    // A new mapping within the client's quota (short USER_EX_QUOTA), the gateway's and the controller's limits
    // (short NO_RESOURCES: the server is out of the resource, RFC 6887 section 7.4).
    private void checkLimits(final Context ctx, final InetAddress internal) throws Refusal {
        final var exceeded = limits.exceeded(ctx.gateway(), internal);
        if (exceeded.isPresent()) {
            final var limit = exceeded.orElseThrow();
            throw new Refusal(limit == MappingLimit.CLIENT_QUOTA ? ResultCode.USER_EX_QUOTA : ResultCode.NO_RESOURCES,
                MappingLimits.describe(ctx.gateway(), internal, limit));
        }
    }

    // FILTER (section 13.3): same family as the internal address; prefix length 0 clears; at most max-filters.
    private static List<Filter> filters(final Context ctx, final Options options, final InetAddress internal)
            throws Refusal {
        final var filters = new ArrayList<Filter>();
        for (var option : options.filters()) {
            final var filter = option.filter();
            if (filter.isEmpty()) {
                continue;
            }
            if (option.remotePeerAddress().getClass() != internal.getClass()) {
                throw new Refusal(ResultCode.MALFORMED_OPTION, "FILTER " + option.remotePeerAddress()
                    .getHostAddress() + " is not of the family of " + internal.getHostAddress());
            }
            if (!filters.contains(filter.orElseThrow())) {
                filters.add(filter.orElseThrow());
            }
        }
        if (filters.size() > ctx.gateway().policy().maxFilters()) {
            throw new Refusal(ResultCode.EXCESSIVE_REMOTE_PEERS, filters.size() + " FILTER options, at most "
                + ctx.gateway().policy().maxFilters() + " allowed");
        }
        return filters;
    }

    /**
     * The external addresses a new mapping may get, in order of preference. IPv6 mappings are firewall pinholes:
     * external = internal. For IPv4, a suggestion that is one of the gateway's addresses comes first (and alone
     * when the client insists), then the gateway's IPv4 addresses in configured order.
     */
    private static List<InetAddress> externalAddresses(final Context ctx, final InetAddress internal,
            final @Nullable InetAddress suggested, final boolean insist) throws Refusal {
        final var gateway = ctx.gateway();
        if (suggested != null && gateway.canUseExternal(internal, suggested)) {
            if (insist || !(internal instanceof Inet4Address)) {
                return List.of(suggested);
            }
            final var ordered = new ArrayList<InetAddress>();
            ordered.add(suggested);
            gateway.externalAddresses().stream().filter(Inet4Address.class::isInstance)
                .filter(address -> !address.equals(suggested)).forEach(ordered::add);
            return ordered;
        }
        if (suggested != null && insist) {
            throw new Refusal(ResultCode.CANNOT_PROVIDE_EXTERNAL, "external address " + suggested.getHostAddress()
                + " cannot be given");
        }
        if (!(internal instanceof Inet4Address)) {
            return List.of(internal);
        }
        final var addresses = gateway.externalAddresses().stream().filter(Inet4Address.class::isInstance).toList();
        if (addresses.isEmpty()) {
            throw new Refusal(ResultCode.NETWORK_FAILURE, "gateway " + gateway.id() + " has no external IPv4 address");
        }
        return addresses;
    }

    // The suggestion, or null for the unspecified address (:: or ::ffff:0.0.0.0, section 11.1).
    private static @Nullable InetAddress specified(final InetAddress address) {
        return address.isAnyLocalAddress() ? null : address;
    }

    // Kept with the mapping when it differs from the internal address: who asked for a third party.
    private static @Nullable InetAddress clientAddress(final Context ctx, final InetAddress internal) {
        return ctx.source().equals(internal) ? null : ctx.source();
    }

    private static byte[] success(final Context ctx, final Mapping mapping, final long lifetime,
            final Options options) {
        final var request = ctx.request();
        final OpcodeData data = switch (request.data()) {
            case MapData map -> new MapData(map.nonce(), map.protocol(), map.internalPort(), mapping.externalPort(),
                mapping.externalAddress());
            case PeerData peer -> new PeerData(peer.nonce(), peer.protocol(), peer.internalPort(),
                mapping.externalPort(), mapping.externalAddress(), peer.remotePeerPort(), peer.remotePeerAddress());
            default -> throw new IllegalStateException("Unexpected " + request.data());
        };
        return ctx.codec().encode(new PcpResponse(request.version(), ResultCode.SUCCESS, lifetime, ctx.epochTime(),
            data, options.echo()));
    }

    // A delete answers SUCCESS with lifetime 0 and the external endpoint the mapping had, if there was one.
    private static byte[] deleted(final Context ctx, final @Nullable Mapping mapping, final Options options) {
        final var request = ctx.request();
        final OpcodeData data = switch (request.data()) {
            case MapData map -> mapping == null ? map : new MapData(map.nonce(), map.protocol(), map.internalPort(),
                mapping.externalPort(), mapping.externalAddress());
            case PeerData peer -> mapping == null ? peer : new PeerData(peer.nonce(), peer.protocol(),
                peer.internalPort(), mapping.externalPort(), mapping.externalAddress(), peer.remotePeerPort(),
                peer.remotePeerAddress());
            default -> throw new IllegalStateException("Unexpected " + request.data());
        };
        return ctx.codec().encode(new PcpResponse(request.version(), ResultCode.SUCCESS, 0, ctx.epochTime(), data,
            options.echo()));
    }

    // Error answers copy the request (section 8.2); long-lifetime errors carry 0, short ones the configured time.
    private static byte[] error(final Context ctx, final Refusal refusal) {
        LOG.debug("PCP request from {} refused with {}: {}", ctx.source().getHostAddress(), refusal.resultCode,
            refusal.getMessage());
        return PcpCodec.errorResponse(ctx.datagram(), ctx.request().version(), refusal.resultCode,
            refusal.resultCode.isShortLifetimeError() ? ctx.gateway().policy().shortErrorLifetime() : 0,
            ctx.epochTime());
    }
}
