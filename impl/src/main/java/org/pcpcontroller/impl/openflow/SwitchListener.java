/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFPacketIn;

/**
 * What a stage that uses switches is told. Everything about one connection is told on that connection's thread, in
 * order; a listener must not block there (hand long work to an executor of its own).
 */
public interface SwitchListener {
    /**
     * The switch serves this gateway now: it just connected, or a gateway started claiming it, or the claiming
     * gateway's {@code openflow} section changed. Told once per binding.
     */
    void bound(SwitchConnection connection, SwitchBinding binding);

    /**
     * The switch no longer serves the gateway it was bound to: no gateway claims it any more, or it disconnected
     * ({@link SwitchConnection#isConnected()} says which).
     */
    void unbound(SwitchConnection connection, SwitchBinding previous);

    /**
     * A PACKET_IN from a switch bound to a gateway.
     */
    default void packetIn(final SwitchConnection connection, final OFPacketIn packetIn) {
        // not interested
    }

    /**
     * The switch removed a flow by itself and says so (the flow asked for OFPFF_SEND_FLOW_REM).
     */
    default void flowRemoved(final SwitchConnection connection, final OFFlowRemoved removed) {
        // not interested
    }
}
