/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpRequest;

/**
 * One client's request, encoded once by the api codec; each send copies it and patches the internal port and the
 * lifetime in place, so the hot loop allocates nothing. {@code RequestTemplateTest} checks that a patched template
 * equals what the codec encodes for the same request.
 */
final class RequestTemplate {
    // offsets of the patched fields (RFC 6887 sections 7.1 and 11.1, RFC 6886 section 3.3); -1: not in this mode
    private static final int PCP_LIFETIME = 4;
    private static final int PCP_INTERNAL_PORT = 40;
    private static final int NATPMP_INTERNAL_PORT = 4;
    private static final int NATPMP_SUGGESTED_PORT = 6;
    private static final int NATPMP_LIFETIME = 8;

    private final byte[] bytes;
    private final int lifetimeOffset;
    private final int portOffset;
    private final int suggestedPortOffset;

    private RequestTemplate(final byte[] bytes, final int lifetimeOffset, final int portOffset,
            final int suggestedPortOffset) {
        this.bytes = bytes;
        this.lifetimeOffset = lifetimeOffset;
        this.portOffset = portOffset;
        this.suggestedPortOffset = suggestedPortOffset;
    }

    /**
     * The template of one client.
     *
     * @param mode what to send
     * @param client the client's address: the PCP client IP address field, which must equal the source address
     * @param nonce the client's MAP nonce; required for {@link Mode#PCP_MAP}
     * @param protocol the MAP protocol number (6 or 17)
     */
    static RequestTemplate of(final Mode mode, final InetAddress client, final @Nullable Nonce nonce,
            final int protocol) {
        return switch (mode) {
            case PCP_MAP -> new RequestTemplate(new PcpCodec().encode(new PcpRequest(PcpCodec.VERSION_2, 0, client,
                new MapData(requireNonNull(nonce), protocol, 0, 0, anyAddress(client)), List.of())),
                PCP_LIFETIME, PCP_INTERNAL_PORT, -1);
            case PCP_ANNOUNCE -> new RequestTemplate(new PcpCodec().encode(new PcpRequest(PcpCodec.VERSION_2, 0,
                client, new AnnounceData(), List.of())), -1, -1, -1);
            case NATPMP_ADDRESS -> new RequestTemplate(NatPmpCodec.encode(new NatPmpMessage.PublicAddressRequest()),
                -1, -1, -1);
            case NATPMP_MAP_UDP, NATPMP_MAP_TCP -> new RequestTemplate(NatPmpCodec.encode(
                new NatPmpMessage.MappingRequest(mode == Mode.NATPMP_MAP_UDP ? MappingProtocol.UDP
                    : MappingProtocol.TCP, 0, 0, 0)), NATPMP_LIFETIME, NATPMP_INTERNAL_PORT, NATPMP_SUGGESTED_PORT);
        };
    }

    // no suggested external address: the all-zero address of the client's family (RFC 6887 section 11.1)
    private static InetAddress anyAddress(final InetAddress client) {
        try {
            return InetAddress.getByAddress(new byte[client instanceof Inet4Address ? 4 : 16]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 zero bytes are an address", e);
        }
    }

    /**
     * Writes the request into {@code out}, ready to send (position 0, limit at its end). A NAT-PMP mapping request
     * suggests its internal port as the external one, as natpmpc does, except when it deletes (lifetime 0).
     *
     * @param out a buffer of at least {@link #size()} bytes
     * @param internalPort the internal port, ignored by modes without one
     * @param lifetime the requested lifetime, ignored by modes without one
     */
    void write(final ByteBuffer out, final int internalPort, final long lifetime) {
        out.clear();
        out.put(bytes);
        if (lifetimeOffset >= 0) {
            out.putInt(lifetimeOffset, (int) lifetime);
        }
        if (portOffset >= 0) {
            out.putShort(portOffset, (short) internalPort);
        }
        if (suggestedPortOffset >= 0) {
            out.putShort(suggestedPortOffset, (short) (lifetime == 0 ? 0 : internalPort));
        }
        out.flip();
    }

    int size() {
        return bytes.length;
    }
}
