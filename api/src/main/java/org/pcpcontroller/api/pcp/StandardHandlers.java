/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * Parsers and serializers of the opcodes and options of RFC 6887, RFC 7220 and libpcp's FLOW_PRIORITY.
 */
final class StandardHandlers {
    /**
     * ANNOUNCE has no data, and does not exist in the version 1 draft (miniupnpd answers UNSUPP_OPCODE there).
     */
    static final OpcodeHandler ANNOUNCE = new OpcodeHandler() {
        @Override
        public OptionalInt length(final int version) {
            return version == PcpCodec.VERSION_2 ? OptionalInt.of(0) : OptionalInt.empty();
        }

        @Override
        public OpcodeData parse(final int version, final ByteBuffer data) {
            return new AnnounceData();
        }

        @Override
        public void serialize(final int version, final OpcodeData data, final ByteBuffer out) {
            if (version != PcpCodec.VERSION_2) {
                throw new IllegalArgumentException("ANNOUNCE exists only in version 2");
            }
        }
    };

    /**
     * MAP: 36 bytes in version 2; 24 in version 1, which has no nonce (RFC 6887 section 11.1).
     */
    static final OpcodeHandler MAP = new OpcodeHandler() {
        @Override
        public OptionalInt length(final int version) {
            return OptionalInt.of(version == PcpCodec.VERSION_2 ? 36 : 24);
        }

        @Override
        public OpcodeData parse(final int version, final ByteBuffer data) {
            final @Nullable Nonce nonce = readNonce(version, data);
            final int protocol = Byte.toUnsignedInt(data.get());
            data.position(data.position() + 3);
            final int internalPort = Short.toUnsignedInt(data.getShort());
            final int externalPort = Short.toUnsignedInt(data.getShort());
            return new MapData(nonce, protocol, internalPort, externalPort, Wire.readAddress(data));
        }

        @Override
        public void serialize(final int version, final OpcodeData data, final ByteBuffer out) {
            if (!(data instanceof MapData map)) {
                throw new IllegalArgumentException("Not MAP data: " + data);
            }
            writeNonce(version, map.nonce(), out);
            out.put((byte) map.protocol()).put(new byte[3]).putShort((short) map.internalPort())
                .putShort((short) map.externalPort());
            Wire.writeAddress(out, map.externalAddress());
        }
    };

    /**
     * PEER: 56 bytes in version 2; 44 in version 1 (RFC 6887 section 12.1). It starts with the MAP layout, then the
     * remote peer port, 2 reserved bytes and the remote peer address.
     */
    static final OpcodeHandler PEER = new OpcodeHandler() {
        @Override
        public OptionalInt length(final int version) {
            return OptionalInt.of(version == PcpCodec.VERSION_2 ? 56 : 44);
        }

        @Override
        public OpcodeData parse(final int version, final ByteBuffer data) throws PcpDecodeException {
            // the first 36 (24) bytes are the MAP layout
            final var map = (MapData) MAP.parse(version, data);
            final int remotePeerPort = Short.toUnsignedInt(data.getShort());
            data.position(data.position() + 2);
            return new PeerData(map.nonce(), map.protocol(), map.internalPort(), map.externalPort(),
                map.externalAddress(), remotePeerPort, Wire.readAddress(data));
        }

        @Override
        public void serialize(final int version, final OpcodeData data, final ByteBuffer out) {
            if (!(data instanceof PeerData peer)) {
                throw new IllegalArgumentException("Not PEER data: " + data);
            }
            MAP.serialize(version, new MapData(peer.nonce(), peer.protocol(), peer.internalPort(),
                peer.externalPort(), peer.externalAddress()), out);
            out.putShort((short) peer.remotePeerPort()).putShort((short) 0);
            Wire.writeAddress(out, peer.remotePeerAddress());
        }
    };

    /**
     * An opcode parser and serializer in one object.
     */
    interface OpcodeHandler extends OpcodeParser, OpcodeSerializer {
        // both halves
    }

    private StandardHandlers() {
        // utility class
    }

    private static @Nullable Nonce readNonce(final int version, final ByteBuffer data) {
        return version == PcpCodec.VERSION_2 ? new Nonce(data.getLong(), data.getInt()) : null;
    }

    private static void writeNonce(final int version, final @Nullable Nonce nonce, final ByteBuffer out) {
        if (version == PcpCodec.VERSION_2) {
            if (nonce == null) {
                throw new IllegalArgumentException("Version 2 needs a mapping nonce");
            }
            out.putLong(nonce.high()).putInt(nonce.low());
        } else if (nonce != null) {
            throw new IllegalArgumentException("Version 1 has no mapping nonce, cannot encode " + nonce);
        }
    }

    private static void checkLength(final ByteBuffer data, final int expected, final String name)
            throws PcpDecodeException {
        if (data.remaining() != expected) {
            throw new PcpDecodeException(ResultCode.MALFORMED_OPTION,
                name + " option length " + data.remaining() + ", expected " + expected);
        }
    }

    static PcpOption parseThirdParty(final ByteBuffer data) throws PcpDecodeException {
        checkLength(data, 16, "THIRD_PARTY");
        return new ThirdPartyOption(Wire.readAddress(data));
    }

    static void serializeThirdParty(final PcpOption option, final ByteBuffer out) {
        Wire.writeAddress(out, ((ThirdPartyOption) option).internalAddress());
    }

    static PcpOption parsePreferFailure(final ByteBuffer data) throws PcpDecodeException {
        checkLength(data, 0, "PREFER_FAILURE");
        return new PreferFailureOption();
    }

    static PcpOption parseFilter(final ByteBuffer data) throws PcpDecodeException {
        checkLength(data, 20, "FILTER");
        data.get();
        final int prefixLength = Byte.toUnsignedInt(data.get());
        final int port = Short.toUnsignedInt(data.getShort());
        final InetAddress address = Wire.readAddress(data);
        // RFC 6887 section 13.3: the prefix counts bits of the 128-bit field; for an IPv4-mapped address the first
        // 96 bits are the mapping prefix, so 1..95 cannot describe an IPv4 filter. 0 means "no filter".
        if (!FilterOption.isValidPrefix(prefixLength, address)) {
            throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "FILTER prefix length " + prefixLength
                + " invalid for " + address.getHostAddress());
        }
        return new FilterOption(prefixLength, port, address);
    }

    static void serializeFilter(final PcpOption option, final ByteBuffer out) {
        final FilterOption filter = (FilterOption) option;
        out.put((byte) 0).put((byte) filter.prefixLength()).putShort((short) filter.remotePeerPort());
        Wire.writeAddress(out, filter.remotePeerAddress());
    }

    static PcpOption parseDescription(final ByteBuffer data) throws PcpDecodeException {
        try {
            return new DescriptionOption(StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(data).toString());
        } catch (CharacterCodingException e) {
            // RFC 7220 section 3 requires UTF-8; anything else could not be echoed back unchanged as text
            throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "DESCRIPTION is not valid UTF-8", e);
        }
    }

    static void serializeDescription(final PcpOption option, final ByteBuffer out) {
        out.put(((DescriptionOption) option).description().getBytes(StandardCharsets.UTF_8));
    }

    static PcpOption parseFlowPriority(final ByteBuffer data) throws PcpDecodeException {
        checkLength(data, 4, "FLOW_PRIORITY");
        final int up = Byte.toUnsignedInt(data.get());
        final int down = Byte.toUnsignedInt(data.get());
        data.get();
        final int resp = Byte.toUnsignedInt(data.get());
        if (up > 63 || down > 63) {
            throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "FLOW_PRIORITY DSCP " + up + "/" + down
                + " exceeds 63");
        }
        return new FlowPriorityOption(new FlowPriority(up, down), (resp & 0x80) != 0);
    }

    static void serializeFlowPriority(final PcpOption option, final ByteBuffer out) {
        final FlowPriorityOption flow = (FlowPriorityOption) option;
        out.put((byte) flow.priority().dscpUp()).put((byte) flow.priority().dscpDown()).put((byte) 0)
            .put((byte) (flow.response() ? 0x80 : 0));
    }
}
