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
import java.util.List;
import org.eclipse.jdt.annotation.NonNull;
import org.eclipse.jdt.annotation.Nullable;

/**
 * A port mapping as the controller keeps it: what was asked, what was assigned, who owns it and until when.
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
        @NonNull MappingKey key,
        @NonNull InetAddress externalAddress,
        int externalPort,
        @NonNull Origin origin,
        @Nullable InetAddress clientAddress,
        @Nullable Nonce nonce,
        @NonNull Instant created,
        @Nullable Instant expires,
        @Nullable String description,
        @Nullable FlowPriority flowPriority,
        @NonNull List<Filter> filters) {
    public Mapping {
        requireNonNull(key);
        requireNonNull(externalAddress);
        requireNonNull(origin);
        requireNonNull(created);
        filters = List.copyOf(filters);
        Checks.port(externalPort);
        if (!filters.isEmpty() && key instanceof MappingKey.Peer) {
            throw new IllegalArgumentException("FILTER applies to MAP only");
        }
    }

    /**
     * The same mapping with another expiry.
     */
    public Mapping withExpires(final @Nullable Instant newExpires) {
        return new Mapping(key, externalAddress, externalPort, origin, clientAddress, nonce, created, newExpires,
            description, flowPriority, filters);
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
