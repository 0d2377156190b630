/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import org.projectfloodlight.openflow.types.U64;

/**
 * The cookies of the flows this controller owns on a switch. Every cookie starts with {@code 0x5043} ("PC"), so the
 * controller finds and deletes its own flows under a cookie mask and never touches anybody else's (an operator's
 * cookie-0 forwarding flow stays); the next byte says which stage owns the flow.
 */
public final class Cookies {
    /** The owner prefix of every cookie this controller sets. */
    public static final long OWNER = 0x5043L << 48;
    /** The punt flows (the punt ingress). */
    public static final U64 PUNT = U64.of(OWNER | 1L << 40);
    /** The DSCP marking flows (the DSCP renderer); the low 40 bits identify the mapping. */
    public static final U64 DSCP = U64.of(OWNER | 2L << 40);
    /** Owner and kind: what a mask must keep to find one stage's flows. */
    public static final U64 KIND_MASK = U64.of(0xFFFF_FF00_0000_0000L);

    private Cookies() {
        // constants
    }
}
