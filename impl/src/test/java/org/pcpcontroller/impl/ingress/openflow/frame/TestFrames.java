/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Frames shared by the tests, and an Internet checksum written independently of {@link Checksum} to check it. The
 * golden frames were built by a script separate from the codec and their checksums confirmed by tshark 4.0 with
 * {@code ip.check_checksum} and {@code udp.check_checksum} on.
 */
final class TestFrames {
    static final String CLIENT_MAC = "52 54 00 00 00 02";
    static final String GATEWAY_MAC = "52 54 00 00 00 01";

    /** natpmpc asking 10.0.0.1 for the public address: 10.0.0.2:41493 -> 10.0.0.1:5351, payload 00 00. */
    static final String NATPMP_REQUEST = """
        52 54 00 00 00 01 52 54 00 00 00 02 08 00 45 00
        00 1e 1c 46 40 00 40 11 0a 87 0a 00 00 02 0a 00
        00 01 a2 15 14 e7 00 0a 34 db 00 00""";
    /** The answer to {@link #NATPMP_REQUEST}: public address 192.0.2.1, epoch 16, padded to 60 bytes. */
    static final String NATPMP_REPLY = """
        52 54 00 00 00 02 52 54 00 00 00 01 08 00 45 00
        00 28 00 00 40 00 40 11 26 c3 0a 00 00 01 0a 00
        00 02 14 e7 a2 15 00 14 72 35 00 80 00 00 00 00
        00 10 c0 00 02 01 00 00 00 00 00 00""";
    static final String NATPMP_REPLY_PAYLOAD = "00 80 00 00 00 00 00 10 c0 00 02 01";
    /**
     * A PCP MAP request over IPv6, 2001:db8::2:5350 -> 2001:db8::1:5351, traffic class 0xb8 (EF), flow label
     * 0x12345, with an 8-byte hop-by-hop options header holding one PadN option.
     */
    static final String PCP6_MAP_REQUEST = """
        52 54 00 00 00 01 52 54 00 00 00 02 86 dd 6b 81
        23 45 00 4c 00 40 20 01 0d b8 00 00 00 00 00 00
        00 00 00 00 00 02 20 01 0d b8 00 00 00 00 00 00
        00 00 00 00 00 01 11 00 01 04 00 00 00 00 14 e6
        14 e7 00 44 0d 5c 02 01 00 00 00 00 0e 10 20 01
        0d b8 00 00 00 00 00 00 00 00 00 00 00 02 01 02
        03 04 05 06 07 08 09 0a 0b 0c 06 00 00 00 04 d2
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00""";
    /** The PCP MAP request of {@link #PCP6_MAP_REQUEST}, from offset 70 of the frame. */
    static final String PCP6_MAP_PAYLOAD = """
        02 01 00 00 00 00 0e 10 20 01 0d b8 00 00 00 00
        00 00 00 00 00 00 00 02 01 02 03 04 05 06 07 08
        09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00""";
    /** The answer to {@link #PCP6_MAP_REQUEST}: the DSCP kept, hop limit 64, no extension header. */
    static final String PCP6_MAP_REPLY = """
        52 54 00 00 00 02 52 54 00 00 00 01 86 dd 6b 80
        00 00 00 44 11 40 20 01 0d b8 00 00 00 00 00 00
        00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
        00 00 00 00 00 02 14 e7 14 e6 00 44 07 fb 02 81
        00 00 00 00 0e 10 00 00 00 10 00 00 00 00 00 00
        00 00 00 00 00 00 01 02 03 04 05 06 07 08 09 0a
        0b 0c 06 00 00 00 04 d2 04 d2 20 01 0d b8 00 00
        00 00 00 00 00 00 00 00 00 01""";
    static final String PCP6_MAP_REPLY_PAYLOAD = """
        02 81 00 00 00 00 0e 10 00 00 00 10 00 00 00 00
        00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
        09 0a 0b 0c 06 00 00 00 04 d2 04 d2 20 01 0d b8
        00 00 00 00 00 00 00 00 00 00 00 01""";
    /**
     * A PCP MAP request over IPv4 in QinQ: 802.1ad service tag VID 100, 802.1Q customer tag PCP 5 VID 10;
     * 10.20.40.2:5350 -> 10.20.40.1:5351, TOS 0x2b (AF11 and ECN CE), neither DF nor MF.
     */
    static final String PCP4_QINQ_REQUEST = """
        52 54 00 00 00 01 52 54 00 00 00 02 88 a8 00 64
        81 00 a0 0a 08 00 45 2b 00 58 00 01 00 00 40 11
        16 3f 0a 14 28 02 0a 14 28 01 14 e6 14 e7 00 44
        00 4b 02 01 00 00 00 00 0e 10 00 00 00 00 00 00
        00 00 00 00 ff ff 0a 14 28 02 01 02 03 04 05 06
        07 08 09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00
        00 00 00 00 00 00 00 00 ff ff 00 00 00 00""";
    /** {@link #NATPMP_REQUEST} in 802.1Q VID 7, with a Router Alert option (IHL 6). */
    static final String NATPMP_OPTIONS_REQUEST = """
        52 54 00 00 00 01 52 54 00 00 00 02 81 00 00 07
        08 00 46 00 00 22 1c 47 40 00 40 11 75 7d 0a 00
        00 02 0a 00 00 01 94 04 00 00 a2 15 14 e7 00 0a
        34 db 00 00""";
    /** A PCP ANNOUNCE response header from 10.0.0.1:5351 to 224.0.0.1:5350, TTL 1, padded to 60 bytes. */
    static final String ANNOUNCE_V4 = """
        01 00 5e 00 00 01 52 54 00 00 00 01 08 00 45 00
        00 34 00 00 40 00 01 11 8f b7 0a 00 00 01 e0 00
        00 01 14 e7 14 e6 00 20 e9 5e 02 80 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00""";
    /** The same ANNOUNCE from [fe80::1]:5351 to [ff02::1]:5350 in 802.1Q VID 7, hop limit 255. */
    static final String ANNOUNCE_V6 = """
        33 33 00 00 00 01 52 54 00 00 00 01 81 00 00 07
        86 dd 60 00 00 00 00 20 11 ff fe 80 00 00 00 00
        00 00 00 00 00 00 00 00 00 01 ff 02 00 00 00 00
        00 00 00 00 00 00 00 00 00 01 14 e7 14 e6 00 20
        d5 db 02 80 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00""";
    static final String ANNOUNCE_PAYLOAD = "02 80 00 00" + " 00 00 00 00".repeat(5);

    private TestFrames() {
        // constants and helpers
    }

    static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static InetAddress ip(final String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress socket(final String literal, final int port) {
        return new InetSocketAddress(ip(literal), port);
    }

    static UdpFrame decoded(final byte[] frame) {
        return assertInstanceOf(FrameDecodeResult.Decoded.class, FrameCodec.decode(frame)).frame();
    }

    static String rejected(final byte[] frame) {
        return assertInstanceOf(FrameDecodeResult.Rejected.class, FrameCodec.decode(frame)).reason();
    }

    /** The RFC 1071 checksum, one 16-bit word at a time, folding as it goes. */
    static int internetChecksum(final byte[]... pieces) {
        final byte[] all = concat(pieces);
        int sum = 0;
        for (int i = 0; i < all.length; i += 2) {
            sum += (all[i] & 0xFF) << 8 | (i + 1 < all.length ? all[i + 1] & 0xFF : 0);
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    static byte[] concat(final byte[]... pieces) {
        final int length = Arrays.stream(pieces).mapToInt(piece -> piece.length).sum();
        final byte[] all = new byte[length];
        int offset = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, all, offset, piece.length);
            offset += piece.length;
        }
        return all;
    }

    static byte[] slice(final byte[] bytes, final int offset, final int length) {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    static int u16(final byte[] bytes, final int offset) {
        return (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
    }

    static void putU16(final byte[] bytes, final int offset, final int value) {
        bytes[offset] = (byte) (value >>> 8);
        bytes[offset + 1] = (byte) value;
    }

    /** Recomputes the IPv4 header checksum of the header at {@code ip}, after a test changed the header. */
    static byte[] fixIpv4Checksum(final byte[] frame, final int ip) {
        putU16(frame, ip + 10, 0);
        putU16(frame, ip + 10, internetChecksum(slice(frame, ip, (frame[ip] & 0x0F) * 4)));
        return frame;
    }

    /**
     * Checks that the IPv4 header (if any) and the UDP checksum of an untagged or tagged frame without IPv6
     * extension headers verify, and returns the UDP checksum.
     */
    static int assertChecksumsVerify(final byte[] frame, final int ip) {
        final boolean ipv4 = (frame[ip] & 0xF0) == 0x40;
        final int udp;
        final byte[] pseudo;
        if (ipv4) {
            final int headerLength = (frame[ip] & 0x0F) * 4;
            assertEquals(0, internetChecksum(slice(frame, ip, headerLength)), "IPv4 header checksum");
            udp = ip + headerLength;
            pseudo = concat(slice(frame, ip + 12, 8), new byte[] { 0, 17 }, slice(frame, udp + 4, 2));
        } else {
            udp = ip + 40;
            pseudo = concat(slice(frame, ip + 8, 32), new byte[] { 0, 0 }, slice(frame, udp + 4, 2),
                new byte[] { 0, 0, 0, 17 });
        }
        final int checksum = u16(frame, udp + 6);
        if (checksum != 0) {
            assertEquals(0, internetChecksum(pseudo, slice(frame, udp, u16(frame, udp + 4))), "UDP checksum");
        }
        return checksum;
    }
}
