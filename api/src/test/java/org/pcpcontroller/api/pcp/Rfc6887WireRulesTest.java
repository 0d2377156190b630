/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.E1_REQUEST;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.NONCE;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.hex;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wire rules of RFC 6887 that docs/rfc-conformance.md found without a test: reserved fields are ignored on
 * reception, IPv4-mapped addresses need the whole 96-bit prefix, FILTER prefixes are bounded by the family.
 */
class Rfc6887WireRulesTest {
    private final PcpCodec codec = new PcpCodec();

    private PcpRequest decoded(final byte[] bytes) {
        return assertInstanceOf(PcpRequest.class,
            assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeRequest(bytes)).message());
    }

    @Test
    void section5_ipv4MappedAddressNeedsAll96PrefixBits() {
        // ::1:ffff:10.20.40.2 has the ffff bits but not the 80 zero bits before them: an IPv6 address
        final byte[] bytes = hex(E1_REQUEST);
        bytes[17] = 1;
        final var request = decoded(bytes);
        assertInstanceOf(Inet6Address.class, request.clientAddress());
        assertEquals(ip("::1:ffff:a14:2802"), request.clientAddress());
        // the genuine IPv4-mapped form is IPv4, and the all-zeros IPv4 suggestion is ::ffff:0.0.0.0
        final var mapped = decoded(hex(E1_REQUEST));
        assertInstanceOf(Inet4Address.class, mapped.clientAddress());
        assertEquals(ip("0.0.0.0"), ((MapData) mapped.data()).externalAddress());
    }

    @Test
    void section7_1_reservedBitsOfTheRequestAreIgnored() {
        final byte[] bytes = hex(E1_REQUEST);
        bytes[2] = (byte) 0xff;
        bytes[3] = (byte) 0xff;
        assertEquals(decoded(hex(E1_REQUEST)), decoded(bytes));
    }

    @Test
    void section11_1_mapReservedBitsAreIgnored() {
        final byte[] bytes = hex(E1_REQUEST);
        // the 24 reserved bits after the protocol (offsets 37..39)
        bytes[37] = 1;
        bytes[38] = 2;
        bytes[39] = 3;
        assertEquals(new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), decoded(bytes).data());
    }

    @Test
    void section12_1_peerReservedBitsAreIgnored() {
        final var peer = new PcpRequest(2, 3600, ip("10.20.40.2"), new PeerData(NONCE, 17, 1234, 0, ip("0.0.0.0"), 9,
            ip("8.8.8.8")), List.of());
        final byte[] bytes = codec.encode(peer);
        // MAP-part reserved (37..39) and the 16 reserved bits after the remote peer port (62..63)
        bytes[37] = 7;
        bytes[62] = 7;
        bytes[63] = 7;
        assertEquals(peer, decoded(bytes));
    }

    @Test
    void section7_3_optionReservedByteIsIgnored() {
        final var withOption = codec.encode(new PcpRequest(2, 3600, ip("10.20.40.2"), new MapData(NONCE, 6, 1234, 0,
            ip("0.0.0.0")), List.of(new PreferFailureOption())));
        final byte[] bytes = withOption.clone();
        bytes[61] = (byte) 0xa5;
        assertEquals(decoded(withOption), decoded(bytes));
    }

    @Test
    void section13_3_filterWithPrefixLengthAboveFamilyIsMalformedOption() {
        // IPv4-mapped remote peer with prefix 129 (beyond the 128-bit field) and IPv6 with 129
        for (String filter : List.of(
                " 03 00 00 14 00 81 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00",
                " 03 00 00 14 00 81 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01")) {
            final var failed = assertInstanceOf(PcpDecodeResult.Failed.class,
                codec.decodeRequest(hex(E1_REQUEST + filter)));
            assertEquals(ResultCode.MALFORMED_OPTION, failed.resultCode());
        }
        // the FILTER's own reserved byte is ignored
        final var filter = decoded(hex(E1_REQUEST
            + " 03 7f 00 14 5a 78 00 50 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00"));
        assertEquals(List.of(new FilterOption(120, 80, ip("198.51.100.0"))), filter.options());
    }
}
