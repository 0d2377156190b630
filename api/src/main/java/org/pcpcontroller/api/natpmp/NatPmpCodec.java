/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import org.eclipse.jdt.annotation.Nullable;

/**
 * Decodes and encodes NAT-PMP (RFC 6886) messages. Stateless.
 * <pre>
 * request   | Vers = 0 | OP = x     | Reserved (16)   | ...
 * response  | Vers = 0 | OP = 128+x | Result Code (16)| Seconds Since Start of Epoch (32) | ...
 * </pre>
 */
public final class NatPmpCodec {
    public static final int VERSION = 0;
    public static final int PUBLIC_ADDRESS_OPCODE = 0;
    private static final int RESPONSE_BIT = 0x80;

    private NatPmpCodec() {
        // utility class
    }

    /**
     * Decodes a request as a server does. Fewer than two bytes, a response (opcode 128 or above) and a mapping
     * request shorter than 12 bytes are dropped, as miniupnpd does; a version other than 0 and an unknown opcode
     * are answered. Bytes after a complete request are ignored.
     *
     * @param datagram the UDP payload as received
     */
    public static NatPmpDecodeResult decodeRequest(final byte[] datagram) {
        if (datagram.length < 2) {
            return new NatPmpDecodeResult.Dropped("Datagram of " + datagram.length + " bytes has no opcode");
        }
        final int opcode = Byte.toUnsignedInt(datagram[1]);
        if (opcode >= RESPONSE_BIT) {
            return new NatPmpDecodeResult.Dropped("Opcode " + opcode + " is a response");
        }
        if (datagram[0] != VERSION) {
            // RFC 6886 section 3.5 / RFC 6887 section 9: a NAT-PMP-only server answers this, which makes a PCP
            // client fall back to NAT-PMP
            return new NatPmpDecodeResult.Failed(NatPmpResultCode.UNSUPPORTED_VERSION, opcode,
                "Unsupported version " + Byte.toUnsignedInt(datagram[0]));
        }
        if (opcode == PUBLIC_ADDRESS_OPCODE) {
            return new NatPmpDecodeResult.Decoded(new NatPmpMessage.PublicAddressRequest());
        }
        final @Nullable MappingProtocol protocol = protocolOf(opcode);
        if (protocol == null) {
            return new NatPmpDecodeResult.Failed(NatPmpResultCode.UNSUPPORTED_OPCODE, opcode,
                "Unsupported opcode " + opcode);
        }
        if (datagram.length < 12) {
            return new NatPmpDecodeResult.Dropped("Mapping request of " + datagram.length + " bytes, 12 needed");
        }
        final ByteBuffer buf = ByteBuffer.wrap(datagram, 4, 8);
        return new NatPmpDecodeResult.Decoded(new NatPmpMessage.MappingRequest(protocol,
            Short.toUnsignedInt(buf.getShort()), Short.toUnsignedInt(buf.getShort()),
            Integer.toUnsignedLong(buf.getInt())));
    }

    /**
     * Decodes a response as a client does: 12 bytes for opcode 128, 16 for 129 and 130, 8 for the header-only
     * error answer. Anything else is dropped.
     *
     * @param datagram the UDP payload as received
     */
    public static NatPmpDecodeResult decodeResponse(final byte[] datagram) {
        if (datagram.length < 8 || datagram[0] != VERSION || (datagram[1] & RESPONSE_BIT) == 0) {
            return new NatPmpDecodeResult.Dropped("Not a NAT-PMP response");
        }
        final ByteBuffer buf = ByteBuffer.wrap(datagram);
        final int opcode = Byte.toUnsignedInt(buf.get(1)) - RESPONSE_BIT;
        buf.position(2);
        final NatPmpResultCode resultCode = NatPmpResultCode.valueOf(Short.toUnsignedInt(buf.getShort()));
        final long epochTime = Integer.toUnsignedLong(buf.getInt());
        if (datagram.length == 8) {
            return new NatPmpDecodeResult.Decoded(new NatPmpMessage.ErrorResponse(opcode, resultCode, epochTime));
        }
        if (opcode == PUBLIC_ADDRESS_OPCODE && datagram.length == 12) {
            final byte[] address = new byte[4];
            buf.get(address);
            return new NatPmpDecodeResult.Decoded(new NatPmpMessage.PublicAddressResponse(resultCode, epochTime,
                inet4(address)));
        }
        final @Nullable MappingProtocol protocol = protocolOf(opcode);
        if (protocol != null && datagram.length == 16) {
            return new NatPmpDecodeResult.Decoded(new NatPmpMessage.MappingResponse(protocol, resultCode, epochTime,
                Short.toUnsignedInt(buf.getShort()), Short.toUnsignedInt(buf.getShort()),
                Integer.toUnsignedLong(buf.getInt())));
        }
        return new NatPmpDecodeResult.Dropped("Response opcode " + opcode + " with " + datagram.length + " bytes");
    }

    /**
     * Encodes a message.
     */
    public static byte[] encode(final NatPmpMessage message) {
        return switch (message) {
            case NatPmpMessage.PublicAddressRequest request -> new byte[] { VERSION, PUBLIC_ADDRESS_OPCODE };
            case NatPmpMessage.MappingRequest request -> ByteBuffer.allocate(12).put((byte) VERSION)
                .put((byte) request.protocol().opcode()).putShort((short) 0)
                .putShort((short) request.internalPort()).putShort((short) request.suggestedExternalPort())
                .putInt((int) request.requestedLifetime()).array();
            case NatPmpMessage.PublicAddressResponse response -> header(12, PUBLIC_ADDRESS_OPCODE,
                response.resultCode(), response.epochTime()).put(response.externalAddress().getAddress()).array();
            case NatPmpMessage.MappingResponse response -> header(16, response.protocol().opcode(),
                response.resultCode(), response.epochTime()).putShort((short) response.internalPort())
                .putShort((short) response.mappedExternalPort()).putInt((int) response.lifetime()).array();
            case NatPmpMessage.ErrorResponse response -> header(8, response.requestOpcode(), response.resultCode(),
                response.epochTime()).array();
        };
    }

    /**
     * The unsolicited announcement of a new public address (RFC 6886 section 3.2.1), multicast to 224.0.0.1:5350:
     * a successful opcode 128 response.
     */
    public static byte[] addressChangeAnnouncement(final long epochTime, final Inet4Address externalAddress) {
        return encode(new NatPmpMessage.PublicAddressResponse(NatPmpResultCode.SUCCESS, epochTime, externalAddress));
    }

    private static ByteBuffer header(final int size, final int opcode, final NatPmpResultCode resultCode,
            final long epochTime) {
        return ByteBuffer.allocate(size).put((byte) VERSION).put((byte) (RESPONSE_BIT | opcode))
            .putShort((short) resultCode.code()).putInt((int) epochTime);
    }

    private static @Nullable MappingProtocol protocolOf(final int opcode) {
        for (MappingProtocol protocol : MappingProtocol.values()) {
            if (protocol.opcode() == opcode) {
                return protocol;
            }
        }
        return null;
    }

    private static Inet4Address inet4(final byte[] address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
