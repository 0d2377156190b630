/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/**
 * What identifies a mapping within a gateway (RFC 6887 sections 11.1 and 12.1): the internal endpoint and protocol
 * for MAP, plus the remote peer for PEER.
 */
public sealed interface MappingKey permits MappingKey.Map, MappingKey.Peer {
    /**
     * The gateway the mapping belongs to.
     */
    String gateway();

    /**
     * IANA protocol number; 0 means all protocols.
     */
    int protocol();

    InetAddress internalAddress();

    /**
     * Internal port; 0 means all ports.
     */
    int internalPort();

    /**
     * The internal endpoint, shared by a MAP and the PEERs of the same host and port.
     */
    default InternalEndpoint internalEndpoint() {
        return new InternalEndpoint(gateway(), protocol(), internalAddress(), internalPort());
    }

    /**
     * The key of a MAP mapping.
     */
    record Map(String gateway, int protocol, InetAddress internalAddress, int internalPort) implements MappingKey {
        public Map {
            requireNonNull(gateway);
            requireNonNull(internalAddress);
            Checks.protocol(protocol);
            Checks.port(internalPort);
        }

        @Override
        public int hashCode() {
            return EndpointHash.of(gateway, protocol, internalAddress, internalPort);
        }

        @Override
        public boolean equals(final Object obj) {
            return this == obj || obj instanceof Map other && internalPort == other.internalPort
                && protocol == other.protocol && internalAddress.equals(other.internalAddress)
                && gateway.equals(other.gateway);
        }

        @Override
        public String toString() {
            return "MAP " + gateway + " " + protocol + " " + InetAddresses.toUriString(internalAddress) + ":"
                + internalPort;
        }
    }

    /**
     * The key of a PEER mapping.
     */
    record Peer(String gateway, int protocol, InetAddress internalAddress, int internalPort,
            InetAddress remotePeerAddress, int remotePeerPort) implements MappingKey {
        public Peer {
            requireNonNull(gateway);
            requireNonNull(internalAddress);
            requireNonNull(remotePeerAddress);
            Checks.protocol(protocol);
            Checks.port(internalPort);
            Checks.port(remotePeerPort);
        }

        @Override
        public int hashCode() {
            return EndpointHash.of(gateway, protocol, internalAddress, internalPort, remotePeerAddress,
                remotePeerPort);
        }

        @Override
        public boolean equals(final Object obj) {
            return this == obj || obj instanceof Peer other && internalPort == other.internalPort
                && remotePeerPort == other.remotePeerPort && protocol == other.protocol
                && internalAddress.equals(other.internalAddress) && remotePeerAddress.equals(other.remotePeerAddress)
                && gateway.equals(other.gateway);
        }

        @Override
        public String toString() {
            return "PEER " + gateway + " " + protocol + " " + InetAddresses.toUriString(internalAddress) + ":"
                + internalPort + " -> " + InetAddresses.toUriString(remotePeerAddress) + ":" + remotePeerPort;
        }
    }

    /**
     * The internal side of a mapping.
     */
    record InternalEndpoint(String gateway, int protocol, InetAddress address, int port) {
        public InternalEndpoint {
            requireNonNull(gateway);
            requireNonNull(address);
        }

        @Override
        public int hashCode() {
            return EndpointHash.of(gateway, protocol, address, port);
        }

        @Override
        public boolean equals(final Object obj) {
            return this == obj || obj instanceof InternalEndpoint other && port == other.port
                && protocol == other.protocol && address.equals(other.address) && gateway.equals(other.gateway);
        }
    }
}
