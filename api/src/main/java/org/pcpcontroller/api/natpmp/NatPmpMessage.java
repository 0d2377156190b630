/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;

/**
 * A NAT-PMP message (RFC 6886), version 0. Responses carry opcode + 128 on the wire.
 */
public sealed interface NatPmpMessage {
    /**
     * Opcode 0 request (RFC 6886 section 3.2): two bytes, version and opcode.
     */
    record PublicAddressRequest() implements NatPmpMessage {
        // no fields
    }

    /**
     * Opcode 1 (UDP) or 2 (TCP) request (RFC 6886 section 3.3). Lifetime 0 deletes; with internal port 0 too, it
     * deletes all of the client's mappings of that protocol.
     *
     * @param protocol UDP or TCP
     * @param internalPort internal port
     * @param suggestedExternalPort suggested external port, 0 for no preference
     * @param requestedLifetime requested lifetime in seconds
     */
    record MappingRequest(MappingProtocol protocol, int internalPort, int suggestedExternalPort,
            long requestedLifetime) implements NatPmpMessage {
        public MappingRequest {
            requireNonNull(protocol);
            Fields.checkPort(internalPort);
            Fields.checkPort(suggestedExternalPort);
            Fields.checkU32(requestedLifetime);
        }
    }

    /**
     * Opcode 128 response (RFC 6886 section 3.2), also sent unsolicited to announce an address change
     * (section 3.2.1).
     *
     * @param resultCode result code
     * @param epochTime seconds since start of epoch
     * @param externalAddress the public IPv4 address
     */
    record PublicAddressResponse(NatPmpResultCode resultCode, long epochTime, Inet4Address externalAddress)
            implements NatPmpMessage {
        public PublicAddressResponse {
            requireNonNull(resultCode);
            Fields.checkU32(epochTime);
            requireNonNull(externalAddress);
        }
    }

    /**
     * Opcode 129 or 130 response (RFC 6886 section 3.3).
     *
     * @param protocol UDP or TCP
     * @param resultCode result code
     * @param epochTime seconds since start of epoch
     * @param internalPort internal port
     * @param mappedExternalPort mapped external port
     * @param lifetime granted lifetime in seconds
     */
    record MappingResponse(MappingProtocol protocol, NatPmpResultCode resultCode, long epochTime, int internalPort,
            int mappedExternalPort, long lifetime) implements NatPmpMessage {
        public MappingResponse {
            requireNonNull(protocol);
            requireNonNull(resultCode);
            Fields.checkU32(epochTime);
            Fields.checkPort(internalPort);
            Fields.checkPort(mappedExternalPort);
            Fields.checkU32(lifetime);
        }
    }

    /**
     * The 8-byte header-only answer (RFC 6886 section 3.5) to an unsupported version or opcode: version, opcode +
     * 128, result code and epoch.
     *
     * @param requestOpcode the opcode of the request, 0..127
     * @param resultCode result code
     * @param epochTime seconds since start of epoch
     */
    record ErrorResponse(int requestOpcode, NatPmpResultCode resultCode, long epochTime) implements NatPmpMessage {
        public ErrorResponse {
            if (requestOpcode < 0 || requestOpcode > 127) {
                throw new IllegalArgumentException("Opcode " + requestOpcode + " out of range 0..127");
            }
            requireNonNull(resultCode);
            Fields.checkU32(epochTime);
        }
    }
}
