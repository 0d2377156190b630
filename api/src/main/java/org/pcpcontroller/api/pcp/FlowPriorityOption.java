/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import org.pcpcontroller.api.mapping.FlowPriority;

/**
 * FLOW_PRIORITY, the Cisco-experimental option of libpcp and miniupnpd: {@code dscp_up, dscp_down, reserved,
 * resp}. It has no IANA code: libpcp sends 99, miniupnpd reads 4, so the code is chosen when the
 * {@link PcpRegistry} is built.
 *
 * @param priority the requested DSCP values
 * @param response the most significant bit of the fourth byte, which libpcp reserves for the response
 */
public record FlowPriorityOption(FlowPriority priority, boolean response) implements PcpOption {
    /**
     * The code libpcp sends.
     */
    public static final int LIBPCP_CODE = 99;
    /**
     * The code miniupnpd reads when built with {@code PCP_FLOWP}.
     */
    public static final int MINIUPNPD_CODE = 4;

    public FlowPriorityOption {
        requireNonNull(priority);
    }
}
