/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.net.InetAddress;
import java.util.List;

/**
 * A PCP request (RFC 6887 section 7.1).
 *
 * @param version 1 or 2
 * @param requestedLifetime requested lifetime in seconds, unsigned 32 bits
 * @param clientAddress the PCP client's IP address field
 * @param data opcode-specific data
 * @param options options in wire order
 */
public record PcpRequest(int version, long requestedLifetime, InetAddress clientAddress, OpcodeData data,
        List<PcpOption> options) implements PcpMessage {
    public PcpRequest {
        Wire.checkVersion(version);
        Wire.checkU32(requestedLifetime, "Requested lifetime");
        requireNonNull(clientAddress);
        requireNonNull(data);
        options = ImmutableList.copyOf(options);
    }
}
