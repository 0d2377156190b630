/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.internetChecksum;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.putU16;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.slice;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.u16;

/**
 * Writes valid checksums into a mutated frame, so that a fuzzer reaches the rules the codec applies after them. It
 * walks the headers on its own, as far as they are there, and leaves the frame alone where they are not: the codec
 * must still judge every other field. It follows the RFCs, not the codec, so that a codec bug is not copied here.
 */
final class ChecksumFixer {
    private static final int UDP = 17;

    private ChecksumFixer() {
        // utility class
    }

    /**
     * Fixes the IPv4 header checksum, and with {@code udp} the UDP checksum (IPv4 or IPv6), where the headers allow.
     */
    static void fix(final byte[] frame, final boolean udp) {
        int offset = 12;
        while (offset + 2 <= frame.length && FrameCodec.isVlanTpid(u16(frame, offset))) {
            offset += 4;
        }
        if (offset + 2 > frame.length) {
            return;
        }
        final int etherType = u16(frame, offset);
        final int ip = offset + 2;
        if (etherType == FrameCodec.ETHERTYPE_IPV4) {
            fixIpv4(frame, ip, udp);
        } else if (etherType == FrameCodec.ETHERTYPE_IPV6 && udp) {
            fixIpv6Udp(frame, ip);
        }
    }

    // RFC 791 section 3.1: the checksum covers IHL words; RFC 768: the UDP one a pseudo-header and the datagram.
    private static void fixIpv4(final byte[] frame, final int ip, final boolean udp) {
        if (frame.length < ip + 20) {
            return;
        }
        final int headerLength = (frame[ip] & 0x0F) * 4;
        if (headerLength < 20 || ip + headerLength > frame.length) {
            return;
        }
        if (udp && (frame[ip + 9] & 0xFF) == UDP) {
            final int end = Math.min(frame.length, ip + u16(frame, ip + 2));
            fixUdp(frame, ip + headerLength, end, slice(frame, ip + 12, 8));
        }
        TestFrames.fixIpv4Checksum(frame, ip);
    }

    // RFC 8200 sections 4 and 8.1: skip hop-by-hop, routing and destination options headers to reach UDP.
    private static void fixIpv6Udp(final byte[] frame, final int ip) {
        if (frame.length < ip + 40) {
            return;
        }
        final int end = Math.min(frame.length, ip + 40 + u16(frame, ip + 4));
        int next = frame[ip + 6] & 0xFF;
        int header = ip + 40;
        while (next == 0 || next == 43 || next == 60) {
            if (header + 8 > end) {
                return;
            }
            next = frame[header] & 0xFF;
            header += ((frame[header + 1] & 0xFF) + 1) * 8;
        }
        if (next == UDP) {
            fixUdp(frame, header, end, slice(frame, ip + 8, 32));
        }
    }

    private static void fixUdp(final byte[] frame, final int udp, final int end, final byte[] addresses) {
        if (udp + 8 > end) {
            return;
        }
        final int length = u16(frame, udp + 4);
        if (length < 8 || udp + length > end) {
            return;
        }
        putU16(frame, udp + 6, 0);
        final int checksum = internetChecksum(addresses, new byte[] { 0, UDP, (byte) (length >>> 8), (byte) length },
            slice(frame, udp, length));
        // RFC 768: a computed zero is sent as all ones
        putU16(frame, udp + 6, checksum == 0 ? 0xFFFF : checksum);
    }
}
