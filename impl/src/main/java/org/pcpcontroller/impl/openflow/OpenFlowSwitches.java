/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import java.util.List;
import org.opendaylight.yangtools.concepts.Registration;

/**
 * The connected switches and the gateways they serve: the one OpenFlow service that the punt ingress and the DSCP
 * renderer share. It owns the connections (handshake, echo, request correlation) and decides which gateway each
 * switch serves; the stages only install their flows and handle their messages.
 */
public interface OpenFlowSwitches {
    /**
     * Follows the switches. The listener is first told of every switch bound now, then of every change.
     */
    Registration subscribe(SwitchListener listener);

    /**
     * The connected switches bound to a gateway now.
     */
    List<SwitchConnection> switchesOf(String gateway);
}
