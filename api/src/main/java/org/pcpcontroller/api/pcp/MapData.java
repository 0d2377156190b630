/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * MAP opcode data (RFC 6887 section 11.1). In a request the port and address are the suggested external ones, in a
 * response the assigned ones.
 *
 * @param nonce mapping nonce; {@code null} for version 1, whose draft layout has no nonce
 * @param protocol upper-layer protocol, 0 for all
 * @param internalPort internal port, 0 for all
 * @param externalPort suggested or assigned external port
 * @param externalAddress suggested or assigned external address
 */
public record MapData(@Nullable Nonce nonce, int protocol, int internalPort, int externalPort,
        InetAddress externalAddress) implements OpcodeData {
    public MapData {
        Wire.checkProtocol(protocol);
        Wire.checkPort(internalPort);
        Wire.checkPort(externalPort);
        requireNonNull(externalAddress);
    }

    @Override
    public Opcode opcode() {
        return Opcode.MAP;
    }
}
