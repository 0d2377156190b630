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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.CLIENT_MAC;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.GATEWAY_MAC;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.decoded;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.socket;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link UdpFrame} validates and copies what it is given, and the encoders refuse what cannot go on the wire.
 */
class UdpFrameTest {
    private static final InetSocketAddress CLIENT = socket("10.0.0.2", 41493);
    private static final InetSocketAddress SERVER = socket("10.0.0.1", 5351);

    private static UdpFrame frame(final byte[] destinationMac, final int[] tags, final InetSocketAddress destination,
            final int trafficClass) {
        return new UdpFrame(destinationMac, hex(CLIENT_MAC), tags, CLIENT, destination, trafficClass, new byte[2]);
    }

    @Test
    void arraysAreCopied() {
        final byte[] mac = hex(GATEWAY_MAC);
        final int[] tags = { 0x81000007 };
        final byte[] payload = { 1, 2 };
        final var frame = new UdpFrame(mac, hex(CLIENT_MAC), tags, CLIENT, SERVER, 0, payload);
        mac[0] = 9;
        tags[0] = 0;
        payload[0] = 9;
        frame.destinationMac()[1] = 9;
        frame.vlanTags()[0] = 1;
        frame.payload()[1] = 9;
        assertArrayEquals(hex(GATEWAY_MAC), frame.destinationMac());
        assertArrayEquals(new int[] { 0x81000007 }, frame.vlanTags());
        assertArrayEquals(new byte[] { 1, 2 }, frame.payload());
    }

    @Test
    void equalityIsByContent() {
        final var frame = decoded(hex(TestFrames.NATPMP_REQUEST));
        assertEquals(frame, decoded(hex(TestFrames.NATPMP_REQUEST)));
        assertEquals(frame.hashCode(), decoded(hex(TestFrames.NATPMP_REQUEST)).hashCode());
        assertNotEquals(frame, decoded(hex(TestFrames.NATPMP_OPTIONS_REQUEST)));
        assertEquals("UdpFrame[52:54:00:00:00:02 -> 52:54:00:00:00:01, /10.0.0.2:41493 -> /10.0.0.1:5351, "
            + "traffic class 0, 2 payload bytes]", frame.toString());
    }

    @Test
    void invalidComponents() {
        final byte[] mac = hex(GATEWAY_MAC);
        assertThrows(IllegalArgumentException.class, () -> frame(new byte[5], new int[0], SERVER, 0));
        assertThrows(IllegalArgumentException.class, () -> frame(mac, new int[] { 0x08000007 }, SERVER, 0));
        assertThrows(IllegalArgumentException.class,
            () -> frame(mac, new int[] { 0x81000001, 0x81000002, 0x81000003 }, SERVER, 0));
        assertThrows(IllegalArgumentException.class, () -> frame(mac, new int[0], socket("2001:db8::1", 5351), 0));
        assertThrows(IllegalArgumentException.class,
            () -> frame(mac, new int[0], InetSocketAddress.createUnresolved("gateway", 5351), 0));
        assertThrows(IllegalArgumentException.class, () -> frame(mac, new int[0], SERVER, 256));
        assertThrows(IllegalArgumentException.class, () -> frame(mac, new int[0], SERVER, -1));
        assertThrows(NullPointerException.class, () -> frame(mac, new int[0], null, 0));
    }

    @Test
    void noReplyFromAGroupAddress() {
        final var toBroadcastMac = frame(hex("ff ff ff ff ff ff"), new int[0], SERVER, 0);
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.encodeReply(toBroadcastMac, new byte[0]));
        final var toMulticastGroup = frame(hex(GATEWAY_MAC), new int[0], socket("224.0.0.1", 5351), 0);
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.encodeReply(toMulticastGroup, new byte[0]));
    }

    @Test
    void payloadTooLarge() {
        final var request = frame(hex(GATEWAY_MAC), new int[0], SERVER, 0);
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.encodeReply(request, new byte[0xFFFF - 27]));
    }

    @Test
    void invalidMulticast() {
        final byte[] mac = hex(GATEWAY_MAC);
        final byte[] payload = new byte[24];
        final var group = socket("224.0.0.1", 5350);
        assertThrows(IllegalArgumentException.class,
            () -> FrameCodec.encodeMulticast(hex("01 00 5e 00 00 01"), new int[0], SERVER, group, payload));
        assertThrows(IllegalArgumentException.class,
            () -> FrameCodec.encodeMulticast(mac, new int[0], SERVER, socket("10.0.0.255", 5350), payload));
        assertThrows(IllegalArgumentException.class,
            () -> FrameCodec.encodeMulticast(mac, new int[0], SERVER, socket("ff02::1", 5350), payload));
        assertThrows(IllegalArgumentException.class,
            () -> FrameCodec.encodeMulticast(mac, new int[] { 0x1234 }, SERVER, group, payload));
    }
}
