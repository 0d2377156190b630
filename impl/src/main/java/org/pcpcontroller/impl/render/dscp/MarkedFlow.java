/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.dscp;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.projectfloodlight.openflow.types.U64;

/**
 * One direction of a flow whose DSCP a mapping's FLOW_PRIORITY asks to set, as the switch on the gateway's LAN side
 * sees it: upstream packets come from the internal endpoint, downstream packets go to it (the gateway has already
 * translated them back when they reach the LAN).
 *
 * @param upstream whether this is the upstream direction
 * @param protocol IANA protocol; 0 matches every protocol
 * @param sourcePort source port matched, 0 for any
 * @param source source address matched, or null for any (a MAP has no known remote peer)
 * @param destination destination address matched, or null for any
 * @param destinationPort destination port matched, 0 for any
 * @param dscp DSCP written
 * @param cookie the flow's cookie
 */
record MarkedFlow(boolean upstream, int protocol, @Nullable InetAddress source, int sourcePort,
        @Nullable InetAddress destination, int destinationPort, int dscp, U64 cookie) {
    MarkedFlow {
        if (source == null && destination == null) {
            throw new IllegalArgumentException("a marked flow matches at least one address");
        }
        requireNonNull(cookie);
    }

    /**
     * Whether the flow is IPv4 (else IPv6).
     */
    boolean ipv4() {
        return (source != null ? source : destination) instanceof java.net.Inet4Address;
    }

    /**
     * The marked flows of a mapping: none without FLOW_PRIORITY, none for a MAP unless the policy marks MAPs, else
     * one per direction. A MAP is matched on its internal endpoint only, since its remote peers are not known.
     */
    static List<MarkedFlow> of(final Mapping mapping, final GatewayView.Marking policy) {
        final var priority = mapping.flowPriority();
        final var key = mapping.key();
        if (priority == null || key instanceof MappingKey.Map && !policy.markMap()) {
            return List.of();
        }
        final var cookie = MarkingFlows.dscpCookie(key);
        final var flows = new ArrayList<MarkedFlow>(2);
        switch (key) {
            case MappingKey.Peer peer -> {
                flows.add(new MarkedFlow(true, peer.protocol(), peer.internalAddress(), peer.internalPort(),
                    peer.remotePeerAddress(), peer.remotePeerPort(), priority.dscpUp(), cookie));
                flows.add(new MarkedFlow(false, peer.protocol(), peer.remotePeerAddress(), peer.remotePeerPort(),
                    peer.internalAddress(), peer.internalPort(), priority.dscpDown(), cookie));
            }
            case MappingKey.Map map -> {
                flows.add(new MarkedFlow(true, map.protocol(), map.internalAddress(), map.internalPort(), null, 0,
                    priority.dscpUp(), cookie));
                flows.add(new MarkedFlow(false, map.protocol(), null, 0, map.internalAddress(), map.internalPort(),
                    priority.dscpDown(), cookie));
            }
        }
        return flows;
    }

    @Override
    public String toString() {
        return (upstream ? "up " : "down ") + protocol + " "
            + (source == null ? "*" : InetAddresses.toUriString(source)) + ":" + sourcePort
            + " -> " + (destination == null ? "*" : InetAddresses.toUriString(destination)) + ":" + destinationPort
            + " dscp " + dscp;
    }
}
