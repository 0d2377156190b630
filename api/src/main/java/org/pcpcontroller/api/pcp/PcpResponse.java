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
import java.util.List;

/**
 * A PCP response (RFC 6887 section 7.2). The reserved header fields are not modelled: they are zero on send and
 * ignored on receive.
 *
 * @param version 1 or 2
 * @param resultCode result code
 * @param lifetime granted lifetime, or for errors how long the error is expected to last, in seconds
 * @param epochTime the server's epoch time in seconds (RFC 6887 section 8.5)
 * @param data opcode-specific data
 * @param options options in wire order
 */
public record PcpResponse(int version, ResultCode resultCode, long lifetime, long epochTime, OpcodeData data,
        List<PcpOption> options) implements PcpMessage {
    public PcpResponse {
        Wire.checkVersion(version);
        requireNonNull(resultCode);
        Wire.checkU32(lifetime, "Lifetime");
        Wire.checkU32(epochTime, "Epoch time");
        requireNonNull(data);
        options = ImmutableList.copyOf(options);
    }
}
