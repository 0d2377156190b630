/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.assertChecksumsVerify;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.decoded;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.socket;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.u16;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the codec encodes decodes back to what was meant, field by field, with checksums that verify; and an answer
 * to an answer is addressed like the original request. Fixed seeds keep failures reproducible.
 */
class FrameRoundTripTest {
    private static final int ITERATIONS = 2000;

    private static byte[] unicastMac(final Random random) {
        final byte[] mac = new byte[6];
        random.nextBytes(mac);
        mac[0] &= (byte) 0xFE;
        return mac;
    }

    private static InetAddress unicastAddress(final Random random, final boolean ipv4) {
        final byte[] bytes = new byte[ipv4 ? 4 : 16];
        random.nextBytes(bytes);
        // clear the multicast prefix: 224/4 and ff00::/8
        bytes[0] &= 0x7F;
        try {
            return ipv4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static int[] vlanTags(final Random random) {
        final int[] tags = new int[random.nextInt(FrameCodec.MAX_VLAN_TAGS + 1)];
        for (int i = 0; i < tags.length; i++) {
            final int tpid = i == 0 && tags.length == 2 ? FrameCodec.TPID_8021AD : FrameCodec.TPID_8021Q;
            tags[i] = tpid << 16 | random.nextInt(0x10000);
        }
        return tags;
    }

    private static UdpFrame randomRequest(final Random random) {
        final boolean ipv4 = random.nextBoolean();
        final byte[] payload = new byte[random.nextInt(1101)];
        random.nextBytes(payload);
        return new UdpFrame(unicastMac(random), unicastMac(random), vlanTags(random),
            new InetSocketAddress(unicastAddress(random, ipv4), random.nextInt(0x10000)),
            new InetSocketAddress(unicastAddress(random, ipv4), random.nextInt(0x10000)), random.nextInt(0x100),
            payload);
    }

    private static int ipOffset(final UdpFrame frame) {
        return 14 + 4 * frame.vlanTags().length;
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3 })
    void replyDecodesToTheSwappedRequest(final long seed) {
        final var random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            final var request = randomRequest(random);
            final byte[] payload = new byte[random.nextInt(1101)];
            random.nextBytes(payload);
            final byte[] bytes = FrameCodec.encodeReply(request, payload);
            final var reply = decoded(bytes);

            assertArrayEquals(request.sourceMac(), reply.destinationMac());
            assertArrayEquals(request.destinationMac(), reply.sourceMac());
            assertArrayEquals(request.vlanTags(), reply.vlanTags());
            assertEquals(request.destination(), reply.source());
            assertEquals(request.source(), reply.destination());
            assertEquals(request.source().getAddress().getClass(), reply.destination().getAddress().getClass());
            assertEquals(request.trafficClass() & 0xFC, reply.trafficClass());
            assertArrayEquals(payload, reply.payload());

            final int ip = ipOffset(request);
            assertNotEquals(0, assertChecksumsVerify(bytes, ip), "UDP checksum always computed");
            assertEquals(64, bytes[ip + (request.isIpv4() ? 8 : 7)] & 0xFF, "TTL / hop limit");
            assertEquals(Math.max(60, ip + (request.isIpv4() ? 20 : 40) + 8 + payload.length), bytes.length);

            // the answer to the answer goes where the request went
            final var again = decoded(FrameCodec.encodeReply(reply, request.payload()));
            assertEquals(new UdpFrame(request.destinationMac(), request.sourceMac(), request.vlanTags(),
                request.source(), request.destination(), request.trafficClass() & 0xFC, request.payload()), again);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 4, 5 })
    void multicastDecodesAsSent(final long seed) {
        final var random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            final boolean ipv4 = random.nextBoolean();
            final byte[] mac = unicastMac(random);
            final int[] tags = vlanTags(random);
            final var source = new InetSocketAddress(unicastAddress(random, ipv4), random.nextInt(0x10000));
            final var group = ipv4 ? socket("224.0.0.1", 5350) : socket("ff02::1", 5350);
            final byte[] payload = new byte[random.nextInt(1101)];
            random.nextBytes(payload);
            final byte[] bytes = FrameCodec.encodeMulticast(mac, tags, source, group, payload);

            assertEquals(new UdpFrame(ipv4 ? hex("01 00 5e 00 00 01") : hex("33 33 00 00 00 01"), mac, tags, source,
                group, 0, payload), decoded(bytes));
            final int ip = 14 + 4 * tags.length;
            assertNotEquals(0, assertChecksumsVerify(bytes, ip));
            assertEquals(ipv4 ? 1 : 255, bytes[ip + (ipv4 ? 8 : 7)] & 0xFF, "TTL / hop limit");
        }
    }

    @Test
    void ipv4HeaderOfAReply() {
        final byte[] bytes = FrameCodec.encodeReply(decoded(hex(TestFrames.PCP4_QINQ_REQUEST)), new byte[60]);
        final int ip = 22;
        assertEquals(0x45, bytes[ip]);
        // DSCP AF11 kept, ECN CE cleared
        assertEquals(0x28, bytes[ip + 1]);
        assertEquals(20 + 8 + 60, u16(bytes, ip + 2));
        assertEquals(0, u16(bytes, ip + 4), "identification of an atomic datagram");
        assertEquals(0x4000, u16(bytes, ip + 6), "DF, not a fragment");
        assertEquals(17, bytes[ip + 9]);
    }

    @Test
    void computedUdpChecksumZeroIsSentAsAllOnes() {
        // choose the two payload bytes so that the one's complement sum is all ones and the checksum zero
        final var request = decoded(hex(TestFrames.NATPMP_REQUEST));
        final byte[] probe = FrameCodec.encodeReply(request, new byte[2]);
        final int checksum = u16(probe, 40);
        final byte[] bytes = FrameCodec.encodeReply(request, new byte[] { (byte) (checksum >>> 8), (byte) checksum });
        assertEquals(0xFFFF, u16(bytes, 40));
        assertChecksumsVerify(bytes, 14);
        assertArrayEquals(new byte[] { (byte) (checksum >>> 8), (byte) checksum }, decoded(bytes).payload());
    }

    @Test
    void ipv4MappedAddressesStayIpv6() throws UnknownHostException {
        final byte[] mapped = hex("00000000 00000000 0000ffff 0a000002");
        final var client = new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 5350);
        final var request = new UdpFrame(hex(TestFrames.GATEWAY_MAC), hex(TestFrames.CLIENT_MAC), new int[0], client,
            socket("2001:db8::1", 5351), 0, new byte[] { 0 });
        final var decodedRequest = decoded(FrameCodec.encodeReply(decoded(FrameCodec.encodeReply(request,
            new byte[] { 0 })), new byte[] { 0 }));
        assertInstanceOf(Inet6Address.class, decodedRequest.source().getAddress());
        assertArrayEquals(mapped, decodedRequest.source().getAddress().getAddress());
    }

    @Test
    void largestDatagrams() {
        final var v4 = decoded(hex(TestFrames.NATPMP_REQUEST));
        assertEquals(0xFFFF, decoded(FrameCodec.encodeReply(v4, new byte[0xFFFF - 28])).payload().length + 28);
        final var v6 = decoded(hex(TestFrames.PCP6_MAP_REQUEST));
        assertEquals(0xFFFF, decoded(FrameCodec.encodeReply(v6, new byte[0xFFFF - 8])).payload().length + 8);
    }
}
