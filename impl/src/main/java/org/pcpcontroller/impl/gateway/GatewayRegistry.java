/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yangtools.concepts.Registration;

/**
 * The gateways as configured: those that can be served, and why the others cannot.
 */
public interface GatewayRegistry {
    /**
     * The view of a gateway whose configuration is valid, whether enabled or not.
     */
    Optional<GatewayView> lookup(String gatewayId);

    /**
     * Why a configured gateway cannot be served; empty if it can, or if it is not configured.
     */
    List<String> problems(String gatewayId);

    /**
     * The start of a gateway's current PCP epoch (RFC 6887 section 8.5), once it is known.
     */
    Optional<Instant> epochOrigin(String gatewayId);

    /**
     * Registers a listener told whenever the epoch of a gateway starts anew: its clients' state is lost or its
     * external address changed, and they must be told (RFC 6887 section 14.1.3).
     */
    Registration addEpochListener(EpochListener listener);

    /**
     * Told when a gateway's epoch starts anew.
     */
    @FunctionalInterface
    interface EpochListener {
        void epochStarted(String gatewayId, Instant origin);
    }

    /**
     * Publishes the state of a gateway's NETCONF session in its {@code state/netconf}. The registry owns the
     * gateway's operational state and writes it in order, so that this never races with its own updates.
     *
     * @param state the session state, or null when the gateway no longer has a NETCONF configuration
     */
    void publishNetconfState(String gatewayId, org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway
        .rev261123.gateways.gateway.state.@Nullable Netconf state);
}
