/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.codec;

import static java.util.Objects.requireNonNull;

import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.pcp.PcpCodec;

/**
 * The one entry point for datagrams on port 5351. PCP and NAT-PMP share the port and are told apart by the first
 * byte, the version (RFC 6887 section 9): 0 is NAT-PMP, 1 the pre-RFC PCP draft, 2 PCP; any other version is
 * handed to the PCP decoder, which answers UNSUPP_VERSION with version 2.
 */
public final class MessageDispatcher {
    private final PcpCodec pcpCodec;

    public MessageDispatcher(final PcpCodec pcpCodec) {
        this.pcpCodec = requireNonNull(pcpCodec);
    }

    /**
     * A dispatcher with the standard PCP registry.
     */
    public MessageDispatcher() {
        this(new PcpCodec());
    }

    /**
     * The PCP codec, for encoding answers with the same option registrations.
     */
    public PcpCodec pcpCodec() {
        return pcpCodec;
    }

    /**
     * Decodes a datagram received by the server.
     */
    public DecodeResult decodeRequest(final byte[] datagram) {
        if (datagram.length == 0) {
            return new DecodeResult.Empty();
        }
        return datagram[0] == NatPmpCodec.VERSION ? new DecodeResult.NatPmp(NatPmpCodec.decodeRequest(datagram))
            : new DecodeResult.Pcp(pcpCodec.decodeRequest(datagram));
    }

    /**
     * Decodes a datagram received by a client.
     */
    public DecodeResult decodeResponse(final byte[] datagram) {
        if (datagram.length == 0) {
            return new DecodeResult.Empty();
        }
        return datagram[0] == NatPmpCodec.VERSION ? new DecodeResult.NatPmp(NatPmpCodec.decodeResponse(datagram))
            : new DecodeResult.Pcp(pcpCodec.decodeResponse(datagram));
    }
}
