/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import java.net.InetAddress;

/**
 * Hash codes for the keys and endpoints the mapping index is built on. A record's own hash code is
 * {@code 31 * h + component} per component, and an IPv4 address hashes to its own value: so (address + 1, port) and
 * (address, port + 31) collide, and a gateway with twenty consecutive external addresses put about twenty endpoints
 * on each hash value. The index's hash maps then degraded into trees, and loading a million mappings spent most of
 * its time there. Multiplying by a large odd constant spreads consecutive addresses and ports apart.
 */
final class EndpointHash {
    private static final int MULTIPLIER = 0x9E3779B1;

    private EndpointHash() {
        // utility class
    }

    static int of(final String gateway, final int protocol, final InetAddress address, final int port) {
        int hash = gateway.hashCode();
        hash = hash * MULTIPLIER + protocol;
        hash = hash * MULTIPLIER + address.hashCode();
        hash = hash * MULTIPLIER + port;
        return hash ^ hash >>> 16;
    }

    static int of(final String gateway, final int protocol, final InetAddress address, final int port,
            final InetAddress remote, final int remotePort) {
        int hash = of(gateway, protocol, address, port);
        hash = hash * MULTIPLIER + remote.hashCode();
        hash = hash * MULTIPLIER + remotePort;
        return hash ^ hash >>> 16;
    }
}
