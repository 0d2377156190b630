/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;

/**
 * A port mapping as the controller keeps it: what was asked, what was assigned, who owns it and until when. Times are
 * kept to the millisecond, the precision the datastore stores them with: a mapping reads back from the datastore, after
 * a restart too, exactly as it was made. Changes go through the withers, which keep every other field.
 *
 * @param key what identifies the mapping within its gateway
 * @param externalAddress assigned external address
 * @param externalPort assigned external port
 * @param origin who created it
 * @param clientAddress the address the request came from, when it differs from the internal address or is known
 * @param nonce the owning PCP client's mapping nonce, if any
 * @param created when the mapping was first created
 * @param expires absolute expiry, or null for a static mapping
 * @param description free text (DESCRIPTION option or operator)
 * @param flowPriority FLOW_PRIORITY values, if asked for
 * @param filters FILTER options (MAP only)
 */
public record Mapping(
        MappingKey key,
        InetAddress externalAddress,
        int externalPort,
        Origin origin,
        @Nullable InetAddress clientAddress,
        @Nullable Nonce nonce,
        Instant created,
        @Nullable Instant expires,
        @Nullable String description,
        @Nullable FlowPriority flowPriority,
        List<Filter> filters) {
    public Mapping {
        requireNonNull(key);
        requireNonNull(externalAddress);
        requireNonNull(origin);
        created = requireNonNull(created).truncatedTo(ChronoUnit.MILLIS);
        if (expires != null) {
            expires = expires.truncatedTo(ChronoUnit.MILLIS);
        }
        filters = List.copyOf(filters);
        Checks.port(externalPort);
        if (!filters.isEmpty() && key instanceof MappingKey.Peer) {
            throw new IllegalArgumentException("FILTER applies to MAP only");
        }
    }

    /**
     * The same mapping on another external endpoint.
     */
    public Mapping withExternalEndpoint(final InetAddress newAddress, final int newPort) {
        return new Mapping(key, newAddress, newPort, origin, clientAddress, nonce, created, expires, description,
            flowPriority, filters);
    }

    /**
     * The same mapping, made by another origin.
     */
    public Mapping withOrigin(final Origin newOrigin) {
        return new Mapping(key, externalAddress, externalPort, newOrigin, clientAddress, nonce, created, expires,
            description, flowPriority, filters);
    }

    /**
     * The same mapping, asked for by another client (THIRD_PARTY), or null when the internal host asked itself.
     */
    public Mapping withClientAddress(final @Nullable InetAddress newClientAddress) {
        return new Mapping(key, externalAddress, externalPort, origin, newClientAddress, nonce, created, expires,
            description, flowPriority, filters);
    }

    /**
     * The same mapping, owned by another nonce, or by none.
     */
    public Mapping withNonce(final @Nullable Nonce newNonce) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, newNonce, created, expires,
            description, flowPriority, filters);
    }

    /**
     * The same mapping with another expiry, or static (null).
     */
    public Mapping withExpires(final @Nullable Instant newExpires) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, nonce, created, newExpires,
            description, flowPriority, filters);
    }

    /**
     * The same mapping with another description, or none.
     */
    public Mapping withDescription(final @Nullable String newDescription) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, nonce, created, expires,
            newDescription, flowPriority, filters);
    }

    /**
     * The same mapping with other FLOW_PRIORITY values, or none.
     */
    public Mapping withFlowPriority(final @Nullable FlowPriority newFlowPriority) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, nonce, created, expires,
            description, newFlowPriority, filters);
    }

    /**
     * The same mapping with other FILTERs (MAP only).
     */
    public Mapping withFilters(final List<Filter> newFilters) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, nonce, created, expires,
            description, flowPriority, newFilters);
    }

    /**
     * The external endpoint the mapping occupies.
     */
    public ExternalEndpoint externalEndpoint() {
        return new ExternalEndpoint(key.gateway(), key.protocol(), externalAddress, externalPort);
    }

    /**
     * An external address, protocol and port of a gateway.
     */
    public record ExternalEndpoint(String gateway, int protocol, InetAddress address, int port) {
        public ExternalEndpoint {
            requireNonNull(gateway);
            requireNonNull(address);
        }

        @Override
        public int hashCode() {
            return EndpointHash.of(gateway, protocol, address, port);
        }

        @Override
        public boolean equals(final Object obj) {
            return this == obj || obj instanceof ExternalEndpoint other && port == other.port
                && protocol == other.protocol && address.equals(other.address) && gateway.equals(other.gateway);
        }
    }
}
