/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import org.pcpcontroller.impl.gateway.GatewayView;

/**
 * The gateway a switch serves, because that gateway's {@code openflow/datapath-id} names it, and what the gateway's
 * {@code openflow} section asks of its switches.
 *
 * @param gateway the gateway id
 * @param openflow the gateway's {@code openflow} section
 */
public record SwitchBinding(String gateway, GatewayView.OpenFlow openflow) {
    public SwitchBinding {
        requireNonNull(gateway);
        requireNonNull(openflow);
    }
}
