/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.MappingLimit;
import org.pcpcontroller.impl.store.MappingStore;

/**
 * The limits a new mapping of a client must stay within: the client's quota (RFC 6887 section 17.2; an IPv6 client is
 * its prefix, not one address), the gateway's {@code max-mappings} and the controller's limit over every gateway.
 * Every count is the store's, a few hash probes. A refusal is counted in the gateway's state. Requests served at the
 * same moment on other threads may each pass before the other's mapping is counted, so a limit can be passed by at
 * most the number of request threads; it is never passed by more.
 */
final class MappingLimits {
    private final MappingStore store;
    private final GatewayCounters counters;
    private final long controllerMax;

    /**
     * Limits over a store.
     *
     * @param controllerMax most mappings over every gateway, 0 for no limit
     */
    MappingLimits(final MappingStore store, final GatewayCounters counters, final long controllerMax) {
        this.store = requireNonNull(store);
        this.counters = requireNonNull(counters);
        if (controllerMax < 0) {
            throw new IllegalArgumentException("maxMappings must not be negative: " + controllerMax);
        }
        this.controllerMax = controllerMax;
    }

    /**
     * The first limit a new mapping of this internal address would exceed, counted; empty when it may be made.
     */
    Optional<MappingLimit> exceeded(final GatewayView gateway, final InetAddress internal) {
        final MappingLimit limit;
        if (gateway.quotaReached(store.countForClient(gateway.id(), gateway.client(internal)))) {
            limit = MappingLimit.CLIENT_QUOTA;
        } else if (gateway.mappingLimitReached(store.count(gateway.id()))) {
            limit = MappingLimit.GATEWAY;
        } else if (controllerMax > 0 && store.countAll() >= controllerMax) {
            limit = MappingLimit.CONTROLLER;
        } else {
            return Optional.empty();
        }
        counters.refused(gateway.id(), limit);
        return Optional.of(limit);
    }

    /**
     * Why a refusal for this limit happened, for the log.
     */
    static String describe(final GatewayView gateway, final InetAddress internal, final MappingLimit limit) {
        return switch (limit) {
            case CLIENT_QUOTA -> gateway.client(internal) + " holds its quota of " + gateway.policy().perClientQuota()
                + " mappings";
            case GATEWAY -> "gateway " + gateway.id() + " holds its max-mappings of " + gateway.policy().maxMappings();
            case CONTROLLER -> "the controller holds its maxMappings";
        };
    }
}
