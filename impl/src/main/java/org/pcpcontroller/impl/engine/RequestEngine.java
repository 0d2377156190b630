/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import com.google.common.util.concurrent.ListenableFuture;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.opendaylight.yangtools.concepts.Registration;

/**
 * The PCP and NAT-PMP engine: one request datagram in, at most one response datagram out. Ingresses (the direct UDP
 * listener, the OpenFlow punt path) only move bytes and know which gateway they serve; everything else, from
 * decoding to policy to the durable mapping, happens behind this interface.
 */
public interface RequestEngine {
    /**
     * Serves one datagram received for a gateway.
     *
     * @param gateway the gateway the ingress serves
     * @param client where the datagram came from: the client's address as seen on the wire, and its port
     * @param server where the datagram was sent to; the response must leave from this address and port
     * @param payload the UDP payload; the engine does not keep it
     * @return a future completing with the UDP payload to send back to {@code client}, or empty when the request
     *         must be dropped silently. It never fails: every error becomes a protocol answer or a drop.
     */
    ListenableFuture<Optional<byte[]>> handle(String gateway, InetSocketAddress client, InetSocketAddress server,
        byte[] payload);

    /**
     * Registers where the unsolicited announcements of a gateway go: its ingress sends them to the gateway's
     * clients. A gateway served by several ingresses gets its announcements sent by each.
     */
    Registration registerAnnouncer(String gateway, Announcer announcer);
}
