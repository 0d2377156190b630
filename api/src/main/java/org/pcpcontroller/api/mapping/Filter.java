/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A FILTER option (RFC 6887 section 13.3): the remote peers allowed to use a MAP mapping.
 *
 * @param remotePeerAddress remote peer address
 * @param prefixLength prefix length applied to the address, counted on the address's own family
 * @param remotePeerPort remote peer port, 0 for all ports
 */
public record Filter(InetAddress remotePeerAddress, int prefixLength, int remotePeerPort) {
    public Filter {
        requireNonNull(remotePeerAddress);
        final int max = remotePeerAddress instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("Filter prefix length " + prefixLength + " out of range 0.." + max);
        }
        Checks.port(remotePeerPort);
    }
}
