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
 * PEER opcode data (RFC 6887 section 12.1): the MAP fields followed by the remote peer.
 *
 * @param nonce mapping nonce; {@code null} for version 1, whose draft layout has no nonce
 * @param protocol upper-layer protocol
 * @param internalPort internal port
 * @param externalPort suggested or assigned external port
 * @param externalAddress suggested or assigned external address
 * @param remotePeerPort remote peer port
 * @param remotePeerAddress remote peer address
 */
public record PeerData(@Nullable Nonce nonce, int protocol, int internalPort, int externalPort,
        InetAddress externalAddress, int remotePeerPort, InetAddress remotePeerAddress) implements OpcodeData {
    public PeerData {
        Wire.checkProtocol(protocol);
        Wire.checkPort(internalPort);
        Wire.checkPort(externalPort);
        requireNonNull(externalAddress);
        Wire.checkPort(remotePeerPort);
        requireNonNull(remotePeerAddress);
    }

    @Override
    public Opcode opcode() {
        return Opcode.PEER;
    }
}
