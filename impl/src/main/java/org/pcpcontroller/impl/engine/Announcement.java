/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static java.util.Objects.requireNonNull;

import org.eclipse.jdt.annotation.Nullable;

/**
 * The unsolicited messages that tell a gateway's clients its epoch restarted, or its external address changed.
 *
 * @param gateway the gateway
 * @param pcp a PCP ANNOUNCE response (RFC 6887 section 14.1.1), for IPv4 and IPv6 clients
 * @param natPmp a NAT-PMP public address response (RFC 6886 section 3.2.1), for IPv4 clients; null when the gateway
 *               has no external IPv4 address
 */
public record Announcement(String gateway, byte[] pcp, byte @Nullable [] natPmp) {
    public Announcement {
        requireNonNull(gateway);
        requireNonNull(pcp);
    }
}
