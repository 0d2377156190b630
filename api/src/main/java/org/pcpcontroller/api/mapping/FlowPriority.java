/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

/**
 * DSCP values a client asked for with the FLOW_PRIORITY option.
 *
 * @param dscpUp DSCP for packets from the internal host to the remote peer
 * @param dscpDown DSCP for packets from the remote peer to the internal host
 */
public record FlowPriority(int dscpUp, int dscpDown) {
    public FlowPriority {
        checkDscp(dscpUp);
        checkDscp(dscpDown);
    }

    private static void checkDscp(final int dscp) {
        if (dscp < 0 || dscp > 63) {
            throw new IllegalArgumentException("DSCP " + dscp + " out of range 0..63");
        }
    }
}
